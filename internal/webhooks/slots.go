package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	mrand "math/rand/v2"

	"github.com/gmailsend/gmailsend"
)

// The limit of MaxEndpoints per API key holds under concurrency because an
// endpoint *is* its slot: a key has MaxEndpoints slots, 0 to
// MaxEndpoints-1, the store keys each endpoint by its caller and its slot,
// and a new endpoint is one write conditional on its slot being empty.
// Twenty registrations at once fill ten slots and find no eleventh.
//
// Why not a counter beside the endpoints: without transactions (dynalite
// has none, and one write is cheaper anyway) the counter and the endpoint
// are two writes, and a function that dies between them leaves a count
// no endpoint backs, forever. Here the count is the endpoints themselves,
// so there is nothing to leak: a crash before the write leaves the slot
// empty, a crash after it leaves an endpoint like any other.
//
// The slot is the last byte of the endpoint's id, so the id alone finds
// its item (one GetItem per delivery, as before). A slot is reused after a
// delete, never an id: the store checks the id an item holds, so a
// delivery queued for a deleted endpoint never reaches the endpoint that
// took its slot.

// ErrSlotTaken is the store's answer to a Created change whose slot
// another endpoint holds: another registration of the same key came first.
var ErrSlotTaken = errors.New("webhooks: the endpoint's slot is taken")

// SlotOf is the slot an endpoint id names, and whether id is an endpoint
// id at all ("wh_" and 32 hex digits, the last two the slot).
func SlotOf(id string) (int, bool) {
	if len(id) != 35 || id[:3] != "wh_" {
		return 0, false
	}
	b, err := hex.DecodeString(id[3:])
	if err != nil {
		return 0, false
	}
	slot := int(b[len(b)-1])
	return slot, slot < MaxEndpoints
}

// newEndpointID is "wh_", 15 random bytes and the slot, in hex: 120 bits
// nobody guesses, so an id never hints at another key's endpoints.
func newEndpointID(slot int) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b[:15])
	b[15] = byte(slot)
	return "wh_" + hex.EncodeToString(b)
}

// freeSlot picks one of the slots existing leaves free, at random so that
// registrations racing for the same key seldom want the same one; false
// when all are taken.
func freeSlot(existing []Stored) (int, bool) {
	var taken [MaxEndpoints]bool
	for _, st := range existing {
		if s, ok := SlotOf(st.ID); ok {
			taken[s] = true
		}
	}
	var free []int
	for s, t := range taken {
		if !t {
			free = append(free, s)
		}
	}
	if len(free) == 0 {
		return 0, false
	}
	return free[mrand.IntN(len(free))], true
}

// register writes e, with secret sealed, into a free slot of its caller's:
// the write is conditional on the slot being empty, so registrations at
// nine never make eleven, and the one that loses the slot looks again.
func (r *Registry) register(ctx context.Context, e *Endpoint, secret string) error {
	for attempt := 0; attempt < slotAttempts; attempt++ {
		existing, err := r.Store.WebhookEndpoints(ctx, e.Caller)
		if err != nil {
			return err
		}
		slot, ok := freeSlot(existing)
		if !ok {
			return gmailsend.Errorf(gmailsend.CodeWebhookLimit, "", "an API key may register at most %d webhook endpoints; delete one first", MaxEndpoints)
		}
		e.ID = newEndpointID(slot)
		sealed, err := sealSecrets(ctx, r.Seal, e.Caller, e.ID, []signingSecret{{Value: secret}})
		if err != nil {
			return err
		}
		err = commit(ctx, r.Store, Change{Kind: Created, Caller: e.Caller, ID: e.ID, Endpoint: e, SealedSecrets: sealed, SecretsVersion: 1})
		if !errors.Is(err, ErrSlotTaken) {
			return err
		}
	}
	return errSlotsBusy()
}

// slotAttempts bounds how often Create looks again after losing a slot:
// each loss is another registration's win, so with no deletes in between
// MaxEndpoints losses fill every slot and the next look says so.
const slotAttempts = 2 * MaxEndpoints

// errSlotsBusy is Create's answer when slotAttempts were not enough (other
// registrations and deletes of the same key kept taking the slot it
// chose): the table is busy for this key, and a retry may pass.
func errSlotsBusy() error {
	return gmailsend.Errorf(gmailsend.CodeStoreUnavailable, "", "this API key's webhook endpoints kept changing during the registration; try again")
}
