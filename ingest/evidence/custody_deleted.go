package evidence

// DeletionOf returns the deletion of the capture with control number sum
// as the listing's custody log states it (who, when, why, which event),
// and true, when an admin deleted it for the listing and it was not
// captured again since.
func DeletionOf(events []Event, sum string) (DeletedFile, bool) {
	d, ok := deletions(events)[sum]
	if ok {
		d.SHA256 = sum
	}
	return d, ok
}
