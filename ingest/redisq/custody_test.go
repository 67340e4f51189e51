package redisq

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"counterlens/ingest/evidence"
)

func TestCustodyChainHoldsUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := s.AppendCustody(ctx, "l1", evidence.Event{Type: evidence.EventCaptured,
					Actor: fmt.Sprintf("writer-%d", w), Details: map[string]string{"i": fmt.Sprint(i)}})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.Custody(ctx, "l1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers*each {
		t.Fatalf("%d events, want %d", len(evs), writers*each)
	}
	if p := evidence.VerifyChain(evs); len(p) > 0 {
		t.Fatalf("chain forked or broken: %v", p)
	}
	other, err := s.Custody(ctx, "l2")
	if err != nil || len(other) != 0 {
		t.Fatalf("another listing's chain: %v, %v", other, err)
	}
}

func TestCustodyAppendReturnsTheSealedEvent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a, err := s.AppendCustody(ctx, "l1", evidence.Event{Type: evidence.EventCaptured, Actor: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AppendCustody(ctx, "l1", evidence.Event{Type: evidence.EventAnalysed, Actor: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Seq != 1 || a.Prev != "" || b.Seq != 2 || b.Prev != a.Hash || b.Hash != b.ComputeHash() {
		t.Fatalf("sealed events: %+v then %+v", a, b)
	}
	evs, _ := s.Custody(ctx, "l1")
	if len(evs) != 2 || evs[1].Hash != b.Hash || !evs[0].At.Equal(a.At) {
		t.Fatalf("stored %+v", evs)
	}
}
