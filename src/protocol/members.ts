// The members of a structure shape as the Query codec walks them — resolved shape, wire name,
// flattening — worked out once per shape (decoding and rendering both walk them per request).
import { resolveShape, type ServiceModel, type Shape, type ShapeRef } from './model.js';
import { wireName } from './xml.js';

export interface MemberPlan {
  name: string;
  ref: ShapeRef;
  shape: Shape;
  /** The member's name on the wire (its locationName, else its name). */
  wire: string;
  /** Flattened by the member's reference or by its shape. */
  flattened: boolean;
}

const plans = new WeakMap<Shape, MemberPlan[]>();

/** The members of structure `shape` of `model`, in model order (cached per shape). */
export function structureMembers(model: ServiceModel, shape: Shape): MemberPlan[] {
  let plan = plans.get(shape);
  if (plan) return plan;
  plan = [];
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const memberShape = resolveShape(model, ref);
    plan.push({ name, ref, shape: memberShape, wire: wireName(name, ref), flattened: ref.flattened === true || memberShape.flattened === true });
  }
  plans.set(shape, plan);
  return plan;
}
