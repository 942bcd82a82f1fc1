// A value pages can watch: a tiny stand-in for a state library (one less dependency in the first page's bundle).
import { useEffect, useState } from 'preact/hooks';

export type Store<T> = { value: T; subscribe(f: () => void): () => void };

export function store<T>(initial: T): Store<T> {
  let v = initial;
  const subs = new Set<() => void>();
  return {
    get value() { return v; },
    set value(n: T) { v = n; subs.forEach((f) => f()); },
    subscribe(f) { subs.add(f); return () => { subs.delete(f); }; },
  };
}

export function useStore<T>(s: Store<T>): T {
  const [, force] = useState(0);
  useEffect(() => s.subscribe(() => force((x) => x + 1)), [s]);
  return s.value;
}
