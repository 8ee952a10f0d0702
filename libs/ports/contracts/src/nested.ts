import { Type } from 'class-transformer';
import { IsArray, IsObject, ValidateNested } from 'class-validator';

/**
 * A property holding one object of DTO `type`. `@ValidateNested` alone lets an array through where
 * the object belongs (it validates the array's elements instead) and ignores a missing value; this
 * refuses both, naming the property.
 */
export function NestedObject(type: () => Function): PropertyDecorator {
  return (target, key) => {
    IsObject()(target, key);
    ValidateNested()(target, key);
    Type(type)(target, key);
  };
}

/** A property holding an array of objects of DTO `type`: `[[]]` or `['x']` is refused, naming the property. */
export function NestedObjects(type: () => Function): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    IsObject({ each: true })(target, key);
    ValidateNested({ each: true })(target, key);
    Type(type)(target, key);
  };
}
