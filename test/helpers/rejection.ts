/** What `promise` rejected with; throws when it resolved, so a test expecting a failure cannot pass without one. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}
