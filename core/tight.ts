// Arrays built by push keep the capacity push grew them to (16 slots for the first item): 190 bytes
// for a list of two, where a list written out takes 70. The checker's long-lived lists (an AST's
// arguments and fields, the params reaching a declaration) are many and small, and what a long study
// keeps alive is what its garbage collector copies, so they are stored tight.

/** `xs` with no spare capacity: a copy of its items (the grown one becomes garbage at once). */
export function tight<T>(xs: T[]): T[] {
  return xs.length === 0 ? xs : xs.slice();
}
