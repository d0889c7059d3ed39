package webhooks

import (
	"context"
	"slices"

	"github.com/gmailsend/gmailsend"
)

// CredentialAccounts tells whose suppression list a stored credential
// holds: the account key of its mailbox, for a caller allowed to use the
// credential (its allowedCallers), else forbidden exactly as a send with
// it would be. *sender.Suppressions is one.
type CredentialAccounts interface {
	AccountOf(ctx context.Context, credential, caller string) (string, error)
}

// checkCredentials resolves the stored credentials an endpoint asks to
// follow into their account keys. Each is checked for caller as a send
// with it would be: an API key sees the suppression events only of the
// lists it may read and edit with /suppressions.
//
// The check is made here, once: the events function holds no credentials.
// A key removed from a credential's allowedCallers later keeps its
// endpoint's subscription until the endpoint is deleted (docs/webhooks.md).
func (r *Registry) checkCredentials(ctx context.Context, caller string, names []string, events []gmailsend.EventType) (creds, accounts []string, err error) {
	creds, accounts = []string{}, []string{}
	if len(names) == 0 {
		for _, t := range events {
			if t == gmailsend.EventSuppressed || t == gmailsend.EventUnsuppressed {
				return nil, nil, gmailsend.Invalid("credentials", "%s events come from a credential's suppression list; name the stored credentials to follow in credentials", t)
			}
		}
		return creds, accounts, nil
	}
	if len(names) > MaxCredentials {
		return nil, nil, gmailsend.Invalid("credentials", "an endpoint may follow at most %d credentials", MaxCredentials)
	}
	if r.Accounts == nil {
		return nil, nil, gmailsend.Errorf(gmailsend.CodeCredentialNotFound, "credentials", "stored credentials are not configured in this deployment")
	}
	for _, name := range names {
		if name == "" {
			return nil, nil, gmailsend.Invalid("credentials", "a credential name may not be empty")
		}
		if slices.Contains(creds, name) {
			continue
		}
		account, err := r.Accounts.AccountOf(ctx, name, caller)
		if err != nil {
			return nil, nil, onCredentials(err)
		}
		creds = append(creds, name)
		if !slices.Contains(accounts, account) {
			accounts = append(accounts, account)
		}
	}
	return creds, accounts, nil
}

// onCredentials is err as an answer about the field credentials: the
// resolver names the field of a send ("credential"), the caller wrote
// credentials. The code stays (forbidden, invalid_request, …).
func onCredentials(err error) error {
	e := gmailsend.AsError(err)
	if e == nil || e.Field != "credential" {
		return err
	}
	c := *e
	c.Field = "credentials"
	return &c
}
