// The one error type services throw or return, and how a model's exception shapes map to
// wire codes and HTTP statuses.
import type { ServiceModel, Shape } from './model.js';

export type FaultType = 'Sender' | 'Receiver';

/** An error as AWS puts it on the wire: code, message, HTTP status, fault side. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: FaultType;
  /** Extra members of the error shape (e.g. Organizations' `Reason`), serialized beside the message. */
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { status?: number; type?: FaultType; fields?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = options.status ?? 400;
    this.type = options.type ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    this.fields = options.fields ?? {};
  }
}

/** Wire identity of an exception shape. */
export interface ErrorInfo {
  /** Name of the exception shape in the model (e.g. `NoSuchEntityException`). */
  shapeName: string;
  /** Code on the wire: Query `<Code>` (from the `awsQueryError` trait, `error.code`), JSON `__type`. */
  code: string;
  status: number;
  type: FaultType;
}

function infoOf(model: ServiceModel, shapeName: string, shape: Shape): ErrorInfo {
  const isQuery = model.metadata.protocol === 'query';
  const code = (isQuery ? shape.error?.code : undefined) ?? shapeName;
  const status = shape.error?.httpStatusCode ?? (shape.fault ? 500 : 400);
  const type: FaultType = shape.error?.senderFault === true || (!shape.fault && status < 500 && shape.error?.senderFault !== false)
    ? 'Sender'
    : 'Receiver';
  return { shapeName, code, status, type };
}

/** Code, status and fault side of the exception shape `shapeName`, or undefined if it is none. */
export function errorInfo(model: ServiceModel, shapeName: string): ErrorInfo | undefined {
  const shape = model.shapes[shapeName];
  if (!shape || !shape.exception) return undefined;
  return infoOf(model, shapeName, shape);
}

const byCodeCache = new WeakMap<ServiceModel, Map<string, ErrorInfo>>();

/** The exception shape whose wire code is `code` (e.g. `NoSuchEntity`), or undefined. */
export function errorInfoByCode(model: ServiceModel, code: string): ErrorInfo | undefined {
  let index = byCodeCache.get(model);
  if (!index) {
    index = new Map();
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (shape.exception) {
        const info = infoOf(model, name, shape);
        index.set(info.code, info);
      }
    }
    byCodeCache.set(model, index);
  }
  return index.get(code);
}

/**
 * An AwsError for the model's exception named by shape or wire code, with the status the
 * model gives it: `modelError(iam, 'NoSuchEntity', 'The user with name bob cannot be found.')`.
 * A name the model does not know is a defect of the caller and gives a 500 InternalFailure.
 */
export function modelError(model: ServiceModel, nameOrCode: string, message: string, fields?: Record<string, unknown>): AwsError {
  const info = errorInfo(model, nameOrCode) ?? errorInfoByCode(model, nameOrCode);
  if (!info) return new AwsError('InternalFailure', `unknown error \`${nameOrCode}\``, { status: 500, type: 'Receiver' });
  return new AwsError(info.code, message, { status: info.status, type: info.type, fields });
}
