package webhooks

import (
	"context"
	"fmt"
)

// ChangeKind names what a Change does to an endpoint.
type ChangeKind int

// The changes an endpoint goes through.
const (
	// Created: a new endpoint (conditional on its id being free).
	Created ChangeKind = iota + 1
	// Rotated: new sealed secrets (conditional on the endpoint existing
	// with SecretsVersion-1, so two rotations never both win).
	Rotated
	// Disabled: the receiver asked to stop (conditional on existence).
	Disabled
	// FailureRecorded: the failure list after a failed attempt
	// (conditional on existence: a deleted endpoint stays deleted).
	FailureRecorded
	// Deleted: the endpoint is removed (ErrNotFound when it was not there).
	Deleted
	// Reenabled: the owner turned a disabled endpoint back on; its
	// disabledReason goes, its secrets and failures stay (conditional on
	// existence).
	Reenabled
)

// Change is one write of an endpoint: the store applies it as given.
type Change struct {
	Kind       ChangeKind
	Caller, ID string
	// Endpoint is the new endpoint (Created).
	Endpoint *Endpoint
	// SealedSecrets and SecretsVersion are the secrets after the change
	// (Created, Rotated).
	SealedSecrets  []byte
	SecretsVersion int
	// Reason is why the endpoint is disabled (Disabled).
	Reason string
	// Failures is the whole failure list after the change (Disabled,
	// FailureRecorded): newest first, at most MaxFailures.
	Failures []Failure
}

// commit is the one way an endpoint changes: it checks the change
// against the rules of its kind and hands it to the store. A reader finds
// every transition of an endpoint here.
func commit(ctx context.Context, s Store, c Change) error {
	if c.Caller == "" || c.ID == "" {
		return fmt.Errorf("webhooks: a change without caller or endpoint id")
	}
	switch c.Kind {
	case Created:
		if c.Endpoint == nil || len(c.SealedSecrets) == 0 || c.SecretsVersion != 1 || !c.Endpoint.Enabled {
			return fmt.Errorf("webhooks: a new endpoint needs its fields, sealed secrets and version 1, enabled")
		}
		// The fan-out finds an endpoint that follows an account through
		// the account's index, so the index is written first: a crash in
		// between leaves a caller in it with no such endpoint (the
		// fan-out reads the caller's endpoints and finds nothing to send
		// to), never an endpoint the fan-out cannot find.
		for _, account := range c.Endpoint.Accounts {
			if err := s.AddAccountSubscriber(ctx, account, c.Caller); err != nil {
				return err
			}
		}
	case Rotated:
		if len(c.SealedSecrets) == 0 || c.SecretsVersion < 2 {
			return fmt.Errorf("webhooks: a rotation needs sealed secrets and the next version")
		}
	case Disabled:
		if c.Reason == "" {
			return fmt.Errorf("webhooks: disabling needs a reason")
		}
		c.Failures = bounded(c.Failures)
	case FailureRecorded:
		c.Failures = bounded(c.Failures)
	case Deleted, Reenabled:
	default:
		return fmt.Errorf("webhooks: unknown change %d", c.Kind)
	}
	return s.ApplyWebhookChange(ctx, c)
}

// withFailure is list with f in front, cut to MaxFailures: the newest
// failures are the ones worth reading.
func withFailure(list []Failure, f Failure) []Failure {
	return bounded(append([]Failure{f}, list...))
}

func bounded(list []Failure) []Failure {
	if len(list) > MaxFailures {
		return list[:MaxFailures]
	}
	return list
}
