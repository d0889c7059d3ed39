package sender

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
)

// SuppressionEditor reads and edits one account's suppression list;
// *dynamostore.Table is one.
type SuppressionEditor interface {
	Suppression(ctx context.Context, account, address string) (*bounce.Suppression, error)
	Suppress(ctx context.Context, s bounce.Suppression) (bool, error)
	Unsuppress(ctx context.Context, account, address string) (bool, error)
}

// Suppressions is the use case of /suppressions/{address}: one account's
// suppression list read and edited by a caller allowed to send with its
// credential. It holds only what that needs: the credentials (to check
// the caller and find the mailbox) and the list.
type Suppressions struct {
	Credentials Resolver
	Edits       SuppressionEditor
	Now         func() time.Time
	// SafetyMargin is kept back from the deadline for the credential
	// lookup, as in Sender.
	SafetyMargin time.Duration
}

// SuppressionsOf is the Suppressions use case over the same ports as s.
func SuppressionsOf(s *Sender) *Suppressions {
	return &Suppressions{Credentials: s.Credentials, Edits: s.SuppressionEdits, Now: s.now, SafetyMargin: s.SafetyMargin}
}

// target resolves whose list a request means: the stored
// credential named (or the deployment's default credential), which the
// caller must be allowed to use like any send; its mailbox owns the list.
func (s *Suppressions) target(ctx context.Context, credentialName, caller, address string) (account, addr string, err error) {
	if s.Edits == nil {
		return "", "", gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "the suppression list needs the message table; set MESSAGES_TABLE")
	}
	a, err := gmailsend.ParseAddress("address", address)
	if err != nil {
		return "", "", err
	}
	account, err = s.account(ctx, credentialName, caller)
	if e := gmailsend.AsError(err); err != nil && e.Code == gmailsend.CodeInvalidRequest && e.Field == "password" {
		return "", "", gmailsend.Invalid("credential", "name the stored credential whose suppression list this is (?credential=…); this deployment has no default credential")
	}
	if err != nil {
		return "", "", err
	}
	return account, strings.ToLower(a.Email), nil
}

// account is the key of the suppression list of the credential named (or
// the default one), for a caller allowed to use it: the same API keys as
// may send with it (allowedCallers), with the same forbidden answer
// otherwise, whether the credential exists or not.
func (s *Suppressions) account(ctx context.Context, credentialName, caller string) (string, error) {
	login, err := resolveWithin(ctx, s.Credentials, s.SafetyMargin, &gmailsend.Request{Credential: credentialName}, credential.Caller{API: true, Key: caller})
	if err != nil {
		return "", err
	}
	return bounce.AccountKey(login.User), nil
}

// AccountOf is the key of the suppression list of the stored credential
// named, for caller allowed to use it (webhooks.CredentialAccounts: an
// endpoint follows only lists its key could read here). A name is
// required: no default credential stands in.
func (s *Suppressions) AccountOf(ctx context.Context, credentialName, caller string) (string, error) {
	if credentialName == "" {
		return "", gmailsend.Invalid("credential", "name a stored credential")
	}
	return s.account(ctx, credentialName, caller)
}

// Get is GET /suppressions/{address}.
func (s *Suppressions) Get(ctx context.Context, credentialName, caller, address string) (*bounce.Suppression, error) {
	account, addr, err := s.target(ctx, credentialName, caller, address)
	if err != nil {
		return nil, err
	}
	sup, err := s.Edits.Suppression(ctx, account, addr)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return nil, gmailsend.Errorf(gmailsend.CodeSuppressionNotFound, "address", "%s is not on this account's suppression list", addr)
	}
	return sup, err
}

// Put is PUT /suppressions/{address}: adds the address by hand
// (reason "manual"); an address already listed keeps its entry. It
// reports whether the entry is new.
func (s *Suppressions) Put(ctx context.Context, credentialName, caller, address string) (*bounce.Suppression, bool, error) {
	account, addr, err := s.target(ctx, credentialName, caller, address)
	if err != nil {
		return nil, false, err
	}
	entry := bounce.Suppression{Account: account, Address: addr, Reason: bounce.ReasonManual, CreatedAt: s.Now().Truncate(time.Millisecond)}
	added, err := s.Edits.Suppress(ctx, entry)
	if err != nil || added {
		return &entry, added, err
	}
	sup, err := s.Edits.Suppression(ctx, account, addr)
	return sup, false, err
}

// Delete is DELETE /suppressions/{address}.
func (s *Suppressions) Delete(ctx context.Context, credentialName, caller, address string) error {
	account, addr, err := s.target(ctx, credentialName, caller, address)
	if err != nil {
		return err
	}
	removed, err := s.Edits.Unsuppress(ctx, account, addr)
	if err == nil && !removed {
		return gmailsend.Errorf(gmailsend.CodeSuppressionNotFound, "address", "%s is not on this account's suppression list", addr)
	}
	return err
}
