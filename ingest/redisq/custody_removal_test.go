package redisq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// custodyOf returns a listing's custody events, in order,
// after checking that they form an unbroken chain.
func custodyOf(t *testing.T, s *Store, id string) []evidence.Event {
	t.Helper()
	evs, err := s.Custody(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p := evidence.VerifyChain(evs); len(p) > 0 {
		t.Fatalf("custody chain of %s broken: %v", id, p)
	}
	return evs
}

// TestRemovalAndReturnAreCustodyEvents: marking a listing removed logs one
// "removed" event naming who, when, how, the source and the listing's
// address; marking it again logs nothing; it comes back as "present_again"
// whether the crawler finds it in a snapshot or it is submitted again, with
// the same content or a new version.
func TestRemovalAndReturnAreCustodyEvents(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	l := models.Listing{Platform: "shopify", ExternalID: "3", SourceID: "src1", URL: "https://shop.example/item-3",
		Title: "Dunk Low", ImageURLs: []string{"https://shop.example/3.jpg"}}
	sub, err := s.SubmitListing(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	id := sub.Listing.ID
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	removal := evidence.PresenceEvent("", at, "crawler-a", evidence.HowMissingFromSnapshot, "src1", "")
	if ok, err := s.MarkRemoved(ctx, id, removal); !ok || err != nil {
		t.Fatalf("mark removed: %v %v", ok, err)
	}
	if ok, err := s.MarkRemoved(ctx, id, removal); ok || err != nil {
		t.Fatalf("mark removed twice: %v %v", ok, err)
	}
	evs := custodyOf(t, s, id)
	if len(evs) != 1 {
		t.Fatalf("%d custody events after two removals, want 1", len(evs))
	}
	e := evs[0]
	if e.Type != evidence.EventRemoved || !e.At.Equal(at) || e.Actor != "crawler-a" ||
		e.Details[evidence.DetailHow] != evidence.HowMissingFromSnapshot || e.Details[evidence.DetailSourceID] != "src1" ||
		e.Details[evidence.DetailURL] != l.URL {
		t.Fatalf("removed event %+v", e)
	}
	if got, _ := s.Listing(ctx, id); !got.RemovedAt.Equal(at) {
		t.Fatalf("removed at %v, want %v", got.RemovedAt, at)
	}

	back := evidence.PresenceEvent("", at.Add(time.Hour), "crawler-a", evidence.HowInSnapshot, "src1", "")
	if ok, err := s.MarkPresent(ctx, id, back); !ok || err != nil {
		t.Fatalf("mark present: %v %v", ok, err)
	}
	if ok, err := s.MarkPresent(ctx, id, back); ok || err != nil {
		t.Fatalf("mark present twice: %v %v", ok, err)
	}
	if evs := custodyOf(t, s, id); len(evs) != 2 || evs[1].Type != evidence.EventPresentAgain ||
		evs[1].Details[evidence.DetailHow] != evidence.HowInSnapshot {
		t.Fatalf("after the return: %+v", evs)
	}

	for i, c := range []struct {
		name    string
		title   string
		changed bool
	}{{"same content", "Dunk Low", false}, {"new version", "Dunk Low REPLICA", true}} {
		t.Run(c.name, func(t *testing.T) {
			if ok, err := s.MarkRemoved(ctx, id, evidence.PresenceEvent("", time.Time{}, "crawler-b", evidence.HowRecheckGone, "src1", "")); !ok || err != nil {
				t.Fatalf("mark removed: %v %v", ok, err)
			}
			again := l
			again.Title = c.title
			sub, err := s.SubmitListing(ctx, again)
			if err != nil || sub.Changed != c.changed || !sub.Listing.RemovedAt.IsZero() {
				t.Fatalf("submit again: %+v %v", sub, err)
			}
			if got, _ := s.Listing(ctx, id); !got.RemovedAt.IsZero() {
				t.Fatalf("still removed at %v", got.RemovedAt)
			}
			evs := custodyOf(t, s, id)
			if len(evs) != 4+2*i {
				t.Fatalf("%d custody events, want %d", len(evs), 4+2*i)
			}
			rm, ret := evs[len(evs)-2], evs[len(evs)-1]
			if rm.Type != evidence.EventRemoved || rm.At.IsZero() || rm.Details[evidence.DetailHow] != evidence.HowRecheckGone {
				t.Fatalf("removed event %+v", rm)
			}
			if ret.Type != evidence.EventPresentAgain || ret.Actor != submitActor ||
				ret.Details[evidence.DetailHow] != evidence.HowSubmittedAgain || ret.Details[evidence.DetailURL] != l.URL {
				t.Fatalf("present_again event %+v", ret)
			}
		})
	}

	if ok, err := s.MarkRemoved(ctx, "nope", removal); ok || !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown listing: %v %v", ok, err)
	}
	if evs := custodyOf(t, s, "nope"); len(evs) != 0 {
		t.Fatalf("an unknown listing got custody events: %+v", evs)
	}
}

// TestRemovalEventsKeepTheChainUnderConcurrentWriters: removals and
// returns written while other events are appended never fork the chain,
// and each change of the listing's mark has exactly one event.
func TestRemovalEventsKeepTheChainUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	sub, err := s.SubmitListing(ctx, models.Listing{Platform: "p", ExternalID: "1", Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	id := sub.Listing.ID
	const appends, toggles = 40, 10
	var g errgroup.Group
	g.Go(func() error {
		for i := range appends {
			if _, err := s.AppendCustody(ctx, id, evidence.Event{Type: evidence.EventAnalysed, Actor: fmt.Sprint("w", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	marks := 0
	g.Go(func() error {
		for range toggles {
			for _, mark := range []func(context.Context, string, evidence.Event) (bool, error){s.MarkRemoved, s.MarkPresent} {
				ok, err := mark(ctx, id, evidence.Event{Actor: "c"})
				if err != nil {
					return err
				}
				if ok {
					marks++
				}
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	evs := custodyOf(t, s, id)
	var types []string
	for _, e := range evs {
		if e.Type != evidence.EventAnalysed {
			types = append(types, string(e.Type))
		}
	}
	want := strings.Repeat("removed,present_again,", toggles)
	if marks != 2*toggles || len(evs) != appends+2*toggles || strings.Join(types, ",")+"," != want {
		t.Fatalf("%d marks, %d events: %v", marks, len(evs), types)
	}
}
