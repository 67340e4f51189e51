package evidence

import (
	"fmt"
	"time"
)

// The custody event types of a listing's presence on its platform: it was
// found gone ("removed"), or it was found there again after that
// ("present_again"). Neither touches the captured bytes: a removed listing
// keeps its evidence.
const (
	EventRemoved      EventType = "removed"
	EventPresentAgain EventType = "present_again"
)

// Keys of the details of a "removed" or "present_again" custody event.
const (
	// DetailHow says how the crawler found it out: one of the How values.
	DetailHow = "how"
	// DetailSourceID names the source whose crawl found it.
	DetailSourceID = "source_id"
	// DetailURL is the listing's own address on its platform.
	DetailURL = "url"
)

// How a listing was found removed or present again (the [DetailHow] of its
// custody event).
const (
	// HowMissingFromSnapshot: the source lists its whole catalogue at each
	// crawl, and the listing was not in it.
	HowMissingFromSnapshot = "missing_from_full_snapshot"
	// HowRecheckGone: the listing's own page answered 404 Not Found or
	// 410 Gone when the crawler asked it again.
	HowRecheckGone = "recheck_404_or_410"
	// HowInSnapshot: the listing was in the source's whole catalogue again.
	HowInSnapshot = "in_full_snapshot"
	// HowSubmittedAgain: the listing was submitted again (a crawl or a
	// POST /v1/listings), with the same content or a new version.
	HowSubmittedAgain = "submitted_again"
)

// PresenceEvent returns a custody event of type typ ([EventRemoved] or
// [EventPresentAgain]) made by actor at at, found out how (a How value) by
// a crawl of source sourceID (may be empty) about the listing at url.
func PresenceEvent(typ EventType, at time.Time, actor, how, sourceID, url string) Event {
	d := map[string]string{DetailHow: how}
	if sourceID != "" {
		d[DetailSourceID] = sourceID
	}
	if url != "" {
		d[DetailURL] = url
	}
	return Event{Type: typ, At: at, Actor: actor, Details: d}
}

// describeHow says in plain words what a How value means.
func describeHow(how string) string {
	switch how {
	case HowMissingFromSnapshot:
		return "missing from the source's full listing"
	case HowRecheckGone:
		return "its page answered 404 Not Found or 410 Gone on re-check"
	case HowInSnapshot:
		return "listed again in the source's full listing"
	case HowSubmittedAgain:
		return "submitted again"
	case "":
		return "no reason logged"
	}
	return how
}

// presence describes each "removed" and "present_again" event of the
// custody log in plain words, oldest first: "removed from its platform on
// <time> by <actor> (custody event <seq>): <how>, source <id>, <url>".
func presence(events []Event) []string {
	var out []string
	for _, e := range events {
		var what string
		switch e.Type {
		case EventRemoved:
			what = "removed from its platform"
		case EventPresentAgain:
			what = "present again on its platform"
		default:
			continue
		}
		s := fmt.Sprintf("%s on %s by %s (custody event %d): %s", what, e.At.UTC().Format(time.RFC3339),
			e.Actor, e.Seq, describeHow(e.Details[DetailHow]))
		if src := e.Details[DetailSourceID]; src != "" {
			s += ", source " + src
		}
		if u := e.Details[DetailURL]; u != "" {
			s += ", " + u
		}
		out = append(out, s)
	}
	return out
}
