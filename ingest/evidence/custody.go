package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// EventType names what happened to a listing's evidence.
type EventType string

// The custody event types.
const (
	EventCaptured EventType = "captured"
	EventAnalysed EventType = "analysed"
	EventReviewed EventType = "reviewed"
	EventExported EventType = "exported"
	EventDeleted  EventType = "deleted"
)

// Event is one entry of a listing's chain of custody. Prev is the Hash of
// the event before it (empty for the first), and Hash is the SHA-256 of the
// event's canonical JSON (see [Event.Canonical]), so removing, reordering or
// changing an event breaks the chain at that point.
type Event struct {
	Seq     int64             `json:"seq"`
	Type    EventType         `json:"type"`
	At      time.Time         `json:"at"`
	Actor   string            `json:"actor"`
	Details map[string]string `json:"details,omitempty"`
	Prev    string            `json:"prev"`
	Hash    string            `json:"hash"`
}

// canonicalEvent is [Event] without its hash, in a fixed field order;
// encoding/json writes map keys sorted, so the encoding is deterministic.
type canonicalEvent struct {
	Seq     int64             `json:"seq"`
	Type    EventType         `json:"type"`
	At      string            `json:"at"`
	Actor   string            `json:"actor"`
	Details map[string]string `json:"details,omitempty"`
	Prev    string            `json:"prev"`
}

// Canonical returns the bytes the event's hash is computed over: its JSON
// without the hash field, the time in RFC 3339 UTC with nanoseconds.
func (e Event) Canonical() []byte {
	b, err := json.Marshal(canonicalEvent{Seq: e.Seq, Type: e.Type, At: e.At.UTC().Format(time.RFC3339Nano),
		Actor: e.Actor, Details: e.Details, Prev: e.Prev})
	if err != nil {
		// Strings, integers and a string map always encode.
		panic(fmt.Sprintf("evidence: encode event: %v", err))
	}
	return b
}

// ComputeHash returns the SHA-256 of the event's canonical JSON, in hex.
func (e Event) ComputeHash() string {
	s := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(s[:])
}

// Chain returns e as the event following prev (nil when e is the first):
// it sets Seq, Prev and Hash, and normalises At to UTC.
func Chain(prev *Event, e Event) Event {
	e.Seq, e.Prev = 1, ""
	if prev != nil {
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	e.Hash = e.ComputeHash()
	return e
}

// VerifyChain checks that events form an unbroken chain from seq 1 and
// returns one problem per event that does not hold, naming it.
func VerifyChain(events []Event) []string {
	var problems []string
	prevHash := ""
	for i, e := range events {
		name := fmt.Sprintf("custody event %d (seq %d, %s)", i+1, e.Seq, e.Type)
		if e.Seq != int64(i+1) {
			problems = append(problems, fmt.Sprintf("%s: seq is %d, want %d (an event is missing or out of order)", name, e.Seq, i+1))
		}
		if e.Prev != prevHash {
			problems = append(problems, name+": prev does not match the hash of the event before it")
		}
		if h := e.ComputeHash(); h != e.Hash {
			problems = append(problems, name+": content does not match its hash (altered)")
		}
		prevHash = e.Hash
	}
	return problems
}
