/**
 * The documented fields of an object its writer built (a stored error, an audit anchor, a
 * config change), in the writer's order: answers keep the order of the fields they always
 * had, so the JSON text of an answer is the same as the record's, only without what the
 * API does not document.
 * @example pickFields({ name: 'E', code: 'HS_X', message: 'm', extra: 1 }, ['name', 'message', 'code']) // { name: 'E', code: 'HS_X', message: 'm' }
 */
export function pickFields<T extends object, K extends keyof T>(value: T, fields: readonly K[]): Pick<T, K> {
  return Object.fromEntries(Object.entries(value).filter(([key, field]) => fields.includes(key as K) && field !== undefined)) as Pick<T, K>;
}
