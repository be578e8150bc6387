// Data errors name the file, the annotation (when one is to blame) and what is wrong, so a user with
// 118k images can find and fix the one bad entry. Under `skip_bad: true` the same errors become
// counted skips (Dataset.skipped) instead of failures; never a silently wrong sample.

export class DataError extends Error {
  constructor(
    /** The file at fault (image, mask PNG or JSON), as the user gave it (resolved path). */
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly problem: string,
    readonly details: { readonly annotationId?: number; readonly imageId?: number | string } = {},
  ) {
    const where = [
      details.imageId !== undefined ? `image ${details.imageId}` : "",
      details.annotationId !== undefined ? `annotation ${details.annotationId}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    super(`${file}${where ? ` (${where})` : ""}: ${problem}`);
    this.name = "DataError";
  }

  get annotationId(): number | undefined {
    return this.details.annotationId;
  }
  get imageId(): number | string | undefined {
    return this.details.imageId;
  }
}

/** What a skipped sample leaves in Dataset.skipped. */
export interface Skip {
  readonly id: string;
  readonly reason: string;
}
