package dynamostore

import (
	"context"
	"errors"
	"regexp"
	"sync"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// addressHashShape is bounce.AddressHash's output: 32 lower-case hex
// digits. Only a hash of that shape may name an entry.
var addressHashShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{32}$`) })

// SuppressHash adds an entry for the recipient whose bounce.AddressHash is
// addressHash, as Suppress does for an address: an unsubscribe link knows
// only the hash. An entry already there is kept (false).
func (t *Table) SuppressHash(ctx context.Context, account, addressHash string, s bounce.Suppression) (bool, error) {
	if !addressHashShape().MatchString(addressHash) {
		return false, errBadHash
	}
	s.Account = account
	return t.suppress(ctx, "sup#"+account+"#"+addressHash, s)
}

var errBadHash = errors.New("dynamostore: not an address hash")
