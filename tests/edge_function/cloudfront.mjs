// A shim of the CloudFront Functions runtime's `cloudfront` module (cloudfront-js-2.0), the only
// hand-written fake of the edge-alias tests: CloudFront Functions have no local server. Its
// kvs().get behaves as AWS documents ("Helper methods for key value stores"): it resolves to the
// value as a string, and a key that is not in the store makes it throw.
export const store = new Map();

export default {
  kvs() {
    return {
      async get(key) {
        if (!store.has(key)) {
          throw new Error(`The key ${key} does not exist`);
        }
        return store.get(key);
      },
    };
  },
};
