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

// suppressionTarget resolves whose list a request means: the stored
// credential named (or the deployment's default credential), which the
// caller must be allowed to use like any send; its mailbox owns the list.
func (s *Sender) suppressionTarget(ctx context.Context, credentialName, caller, address string) (account, addr string, err error) {
	if s.SuppressionEdits == nil {
		return "", "", gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "the suppression list needs the message table; set MESSAGES_TABLE")
	}
	a, err := gmailsend.ParseAddress("address", address)
	if err != nil {
		return "", "", err
	}
	// The same API keys as may send with the credential (allowedCallers).
	login, err := s.resolve(ctx, &gmailsend.Request{Credential: credentialName}, credential.Caller{API: true, Key: caller})
	if e := gmailsend.AsError(err); err != nil && e.Code == gmailsend.CodeInvalidRequest && e.Field == "password" {
		return "", "", gmailsend.Invalid("credential", "name the stored credential whose suppression list this is (?credential=…); this deployment has no default credential")
	}
	if err != nil {
		return "", "", err
	}
	return bounce.AccountKey(login.User), strings.ToLower(a.Email), nil
}

// GetSuppression is GET /suppressions/{address}.
func (s *Sender) GetSuppression(ctx context.Context, credentialName, caller, address string) (*bounce.Suppression, error) {
	account, addr, err := s.suppressionTarget(ctx, credentialName, caller, address)
	if err != nil {
		return nil, err
	}
	sup, err := s.SuppressionEdits.Suppression(ctx, account, addr)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return nil, gmailsend.Errorf(gmailsend.CodeSuppressionNotFound, "address", "%s is not on this account's suppression list", addr)
	}
	return sup, err
}

// PutSuppression is PUT /suppressions/{address}: adds the address by hand
// (reason "manual"); an address already listed keeps its entry. It
// reports whether the entry is new.
func (s *Sender) PutSuppression(ctx context.Context, credentialName, caller, address string) (*bounce.Suppression, bool, error) {
	account, addr, err := s.suppressionTarget(ctx, credentialName, caller, address)
	if err != nil {
		return nil, false, err
	}
	entry := bounce.Suppression{Account: account, Address: addr, Reason: bounce.ReasonManual, CreatedAt: s.now().Truncate(time.Millisecond)}
	added, err := s.SuppressionEdits.Suppress(ctx, entry)
	if err != nil || added {
		return &entry, added, err
	}
	sup, err := s.SuppressionEdits.Suppression(ctx, account, addr)
	return sup, false, err
}

// DeleteSuppression is DELETE /suppressions/{address}.
func (s *Sender) DeleteSuppression(ctx context.Context, credentialName, caller, address string) error {
	account, addr, err := s.suppressionTarget(ctx, credentialName, caller, address)
	if err != nil {
		return err
	}
	removed, err := s.SuppressionEdits.Unsuppress(ctx, account, addr)
	if err == nil && !removed {
		return gmailsend.Errorf(gmailsend.CodeSuppressionNotFound, "address", "%s is not on this account's suppression list", addr)
	}
	return err
}
