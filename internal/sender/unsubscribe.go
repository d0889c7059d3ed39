package sender

import (
	"context"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/unsubscribe"
)

// UnsubscribeList adds to a mailbox's suppression list by address hash,
// which is all an unsubscribe token knows; *dynamostore.Table is one.
type UnsubscribeList interface {
	SuppressHash(ctx context.Context, account, addressHash string, entry bounce.Suppression) (bool, error)
}

// Unsubscribe makes one-click unsubscribe links (RFC 8058) for the
// messages that ask for them, and carries them out.
type Unsubscribe struct {
	// BaseURL is the public https address of the API stage
	// (UNSUBSCRIBE_BASE_URL): a link is BaseURL/unsubscribe/{token}.
	BaseURL string
	// Key is the deployment's MAC key (UNSUBSCRIBE_KEY).
	Key []byte
	// List is the suppression list the links write to.
	List UnsubscribeList
	// Now stamps an entry; time.Now when nil.
	Now func() time.Time
}

func (u *Unsubscribe) ready() error {
	if u == nil || u.BaseURL == "" || len(u.Key) < unsubscribe.MinKeyBytes || u.List == nil {
		return gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "unsubscribe",
			"unsubscribe links need the message table, UNSUBSCRIBE_BASE_URL and UNSUBSCRIBE_KEY; this deployment lacks one of them")
	}
	return nil
}

// check refuses a message that asks for a link it cannot have: the
// deployment is not set up for them, or the message has more than one
// recipient (a link unsubscribes one address: bulk mail is one recipient
// per message).
func (u *Unsubscribe) check(mail *gmailsend.Mail) error {
	if err := u.ready(); err != nil {
		return err
	}
	if n := len(mail.Recipients()); n != 1 {
		return gmailsend.Invalid("unsubscribe", "a message with an unsubscribe link has exactly one recipient (toEmail, cc and bcc together), not %d: send one message per recipient, e.g. with POST /messages/batch", n)
	}
	return nil
}

// link is the unsubscribe URL of mail's one recipient from mailbox, naming
// the message record the send holds (withRecordID).
func (u *Unsubscribe) link(ctx context.Context, mailbox string, mail *gmailsend.Mail) (string, error) {
	if err := u.check(mail); err != nil {
		return "", err
	}
	id, _ := ctx.Value(recordIDKey{}).(string)
	if id == "" {
		return "", gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "unsubscribe", "unsubscribe links need the message table; set MESSAGES_TABLE")
	}
	tok, err := unsubscribe.Sign(u.Key, unsubscribe.Token{
		Account: bounce.AccountKey(mailbox), AddressHash: bounce.AddressHash(mail.Recipients()[0]), Message: id,
	})
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(u.BaseURL, "/") + "/unsubscribe/" + tok, nil
}

// errLinkInvalid is what any token that does not verify gets: nothing
// says whether it was malformed, forged or of another deployment.
func errLinkInvalid() error {
	return gmailsend.Errorf(gmailsend.CodeUnsubscribeNotFound, "token", "this unsubscribe link is not valid")
}

// Check is GET /unsubscribe/{token}: it verifies the token and changes
// nothing (link scanners and previews fetch every link).
func (u *Unsubscribe) Check(token string) error {
	_, err := u.verify(token)
	return err
}

func (u *Unsubscribe) verify(token string) (unsubscribe.Token, error) {
	if u == nil || len(u.Key) < unsubscribe.MinKeyBytes || u.List == nil {
		return unsubscribe.Token{}, errLinkInvalid()
	}
	t, err := unsubscribe.Verify(u.Key, token)
	if err != nil {
		return unsubscribe.Token{}, errLinkInvalid()
	}
	return t, nil
}

// Confirm is POST /unsubscribe/{token}: the token's recipient joins its
// mailbox's suppression list with reason "unsubscribed". Doing it again
// changes nothing (an entry already there, for any reason, is kept).
func (u *Unsubscribe) Confirm(ctx context.Context, token string) error {
	t, err := u.verify(token)
	if err != nil {
		return err
	}
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	_, err = u.List.SuppressHash(ctx, t.Account, t.AddressHash, bounce.Suppression{
		Account: t.Account, Reason: bounce.ReasonUnsubscribed, SourceID: t.Message, CreatedAt: now().UTC().Truncate(time.Millisecond),
	})
	return err
}

// recordIDKey carries the id of the record a send holds to link.
type recordIDKey struct{}

func withRecordID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, recordIDKey{}, id)
}
