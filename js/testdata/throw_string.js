// A thrown value that is not an Error.
throw 'plain string';
