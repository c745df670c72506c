// A rejection with a value that is not an Error is reported wrapped.
Promise.reject(42);
