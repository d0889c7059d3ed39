package gmailsend

import (
	"context"
	"errors"
)

// ErrNotFound: no record with that id.
var ErrNotFound = errors.New("store: no such record")

// ErrClaimTaken: the id is held by a claim that may not be taken over;
// Claim returns the record that holds it.
var ErrClaimTaken = errors.New("store: the id is already claimed")

// ErrClaimLost: the claim was taken over by another invocation (its lease
// ran out), so this invocation's outcome is not written.
var ErrClaimLost = errors.New("store: the claim was taken over")

// Records keeps message records. Each method is one single-item
// conditional write or one read.
type Records interface {
	// Claim writes r unless its id is held: free, released, or with an
	// expired lease (and no content mark) or key is not held. When held it returns the record
	// that holds it and ErrClaimTaken.
	Claim(ctx context.Context, r *Record) (*Record, error)
	// Mark writes r.ContentAt on the claim r.Token holds, before the
	// first byte of content goes to the server (ErrClaimLost when the
	// claim is no longer held).
	Mark(ctx context.Context, r *Record) error
	// Finish writes the outcome of the claim r.Token holds (ErrClaimLost
	// when another invocation took it over).
	Finish(ctx context.Context, r *Record) error
	// Get reads a record (ErrNotFound).
	Get(ctx context.Context, id string) (*Record, error)
}
