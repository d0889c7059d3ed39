package sender

import (
	"context"
	"fmt"
	"strings"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

// SuppressionList says which addresses an account must not send to;
// *dynamostore.Table is one.
type SuppressionList interface {
	// Suppressed returns those of addresses on the account's list, with
	// their reasons.
	Suppressed(ctx context.Context, account string, addresses []string) ([]bounce.Listed, error)
}

// CheckSuppressed refuses mail to an address on the sending mailbox's
// suppression list with recipient_suppressed, naming the field (toEmail[1],
// cc[0], bcc[0]), the address and why it is listed, before anything is
// built or sent. The
// list belongs to the mailbox (bounce.AccountKey), so it applies whichever
// credential or source reached it. Without a list it allows everything.
func (s *Sender) CheckSuppressed(ctx context.Context, mailbox string, mail *gmailsend.Mail) error {
	if s.Suppressions == nil {
		return nil
	}
	hits, err := s.Suppressions.Suppressed(ctx, bounce.AccountKey(mailbox), mail.Recipients())
	if err != nil || len(hits) == 0 {
		return err
	}
	first := strings.ToLower(hits[0].Address)
	why := bounce.Why(hits[0].Reason)
	for _, list := range []struct {
		field string
		addrs []gmailsend.Address
	}{{"toEmail", mail.To}, {"cc", mail.Cc}, {"bcc", mail.Bcc}} {
		for i, a := range list.addrs {
			if strings.ToLower(a.Email) == first {
				return gmailsend.Errorf(gmailsend.CodeRecipientSuppressed, fmt.Sprintf("%s[%d]", list.field, i),
					"%s is on this account's suppression list (reason %q: %s); nothing was sent. "+
						"Remove it with DELETE /suppressions/{address} if it should get mail again", a.Email, hits[0].Reason, why)
			}
		}
	}
	return gmailsend.Errorf(gmailsend.CodeRecipientSuppressed, "toEmail", "%s is on this account's suppression list (reason %q: %s); nothing was sent", hits[0].Address, hits[0].Reason, why)
}
