/**
 * A construct id from a route or queue name (`journeyPage` → `JourneyPage`, `verify` → `Verify`).
 * CloudFormation logical ids derive from it, so it must stay a pure function of the name: changing
 * it would replace every function and, for queues, the queues themselves.
 */
export function constructId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
