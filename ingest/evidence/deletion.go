package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// Keys of the details of a "deleted" custody event.
const (
	// DetailSums lists, comma-separated, the control numbers of the
	// listing's captures that were deleted for it.
	DetailSums = "sha256s"
	// DetailRemoved lists those whose bytes left the store; the others
	// are still held for another listing (DetailKept).
	DetailRemoved = "removed"
	DetailKept    = "kept_shared"
	DetailReason  = "reason"
)

// deletions returns, for each control number an admin deleted and that was
// not captured again afterwards, the deletion as the custody log states it.
func deletions(events []Event) map[string]DeletedFile {
	out := map[string]DeletedFile{}
	for _, e := range events {
		switch e.Type {
		case EventCaptured:
			delete(out, e.Details["sha256"])
		case EventDeleted:
			for _, sum := range strings.Split(e.Details[DetailSums], ",") {
				if ValidSum(sum) {
					out[sum] = DeletedFile{DeletedAt: e.At.UTC(), DeletedBy: e.Actor, Reason: e.Details[DetailReason], CustodySeq: e.Seq}
				}
			}
		}
	}
	return out
}

// CapturedSums returns the control numbers of what the listing holds now,
// by its custody log and its evidence records: every capture not deleted
// since. Pictures come from the listing's evidence (sums), pages from the
// custody log.
func CapturedSums(sums []string, events []Event) []string {
	deleted := deletions(events)
	var out []string
	add := func(s string) {
		if _, gone := deleted[s]; ValidSum(s) && !gone && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range sums {
		add(s)
	}
	for _, c := range pagesOf(events) {
		add(c.ev.SHA256)
	}
	return out
}

// Delete removes the bytes with control number sum and their capture
// records. Deleting what is not there is not an error.
func (b *Blobs) Delete(ctx context.Context, sum string) error {
	if !ValidSum(sum) {
		return fmt.Errorf("bad control number %q", sum)
	}
	it := b.bucket.List(&blob.ListOptions{Prefix: "captures/" + sum[:2] + "/" + sum + "/"})
	var keys []string
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("evidence store: list records of %s: %w", sum, err)
		}
		keys = append(keys, obj.Key)
	}
	for _, k := range append(keys, blobKey(sum)) {
		if err := b.bucket.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return fmt.Errorf("evidence store: delete %s: %w", k, err)
		}
	}
	return nil
}
