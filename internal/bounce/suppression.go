package bounce

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Suppression is an address the account no longer sends to. Only hashes
// of the account and the address are stored (see AddressHash): the table
// keeps no address, yet a send can still be checked against the list and
// GET/PUT/DELETE /suppressions/{address} can find the entry.
type Suppression struct {
	// Account is the sending mailbox's key (AccountKey).
	Account string `json:"-"`
	// Address is the suppressed recipient. It is known when an entry is
	// made or looked up by address, and never stored.
	Address string `json:"address"`
	// Reason is "bounce" (a hard bounce) or "manual" (PUT).
	Reason string `json:"reason"`
	// Status and Diagnostic are the bounce's (empty for manual entries).
	Status     string `json:"status,omitempty"`
	Diagnostic string `json:"diagnostic,omitempty"`
	// SourceID is the record id of the message that bounced (what
	// GET /messages/{id} takes).
	SourceID  string    `json:"sourceId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Reasons of a suppression.
const (
	ReasonBounce = "bounce"
	ReasonManual = "manual"
	// ReasonUnsubscribed: the recipient used the message's one-click
	// unsubscribe link (RFC 8058).
	ReasonUnsubscribed = "unsubscribed"
)

// Listed is an address found on a suppression list, with why it is there.
type Listed struct {
	Address, Reason string
}

// Why says in words why a suppression of reason was made, for a refusal
// that names it.
func Why(reason string) string {
	switch reason {
	case ReasonBounce:
		return "an earlier message to it bounced"
	case ReasonUnsubscribed:
		return "its recipient unsubscribed with a message's one-click link"
	case ReasonManual:
		return "it was added with PUT /suppressions/{address}"
	}
	return "it was added to the list"
}

// AccountKey is the suppression list's key for a sending mailbox: the
// list belongs to the Gmail address that sends (and receives the
// bounces), whichever stored credential or inline password reached it.
// It is the same opaque hash the message records use for inline accounts
// (gmailsend.AccountOf with no credential name).
func AccountKey(mailbox string) string {
	sum := sha256.Sum256([]byte("gmailsend-account\x00" + strings.ToLower(mailbox)))
	return "addr:" + hex.EncodeToString(sum[:12])
}

// AddressHash is the stored form of a recipient address: a SHA-256 of the
// lower-cased address under a fixed label, stable across deployments and
// runs so a send, a bounce and an API call meet on the same key. It is a
// pseudonym, not encryption: whoever can read the table and guesses an
// address can confirm it.
func AddressHash(address string) string {
	sum := sha256.Sum256([]byte("gmailsend-recipient\x00" + strings.ToLower(strings.TrimSpace(address))))
	return hex.EncodeToString(sum[:16])
}

// RecipientKeys are the AddressHash of each of a message's recipients, at
// most MaxRecipientKeys: what its record keeps so that a notification can
// change only the entries of addresses the message was really sent to.
func RecipientKeys(recipients []string) []string {
	keys := make([]string, 0, min(len(recipients), MaxRecipientKeys))
	seen := make(map[string]bool, cap(keys))
	for _, r := range recipients {
		if len(keys) == MaxRecipientKeys {
			break
		}
		if k := AddressHash(r); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}
