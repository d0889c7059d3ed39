package gmailsend

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// MaxKeyLength bounds an idempotency key (Stripe and Resend allow 256).
const MaxKeyLength = 256

// CheckKey refuses a key that is empty or blank, longer than MaxKeyLength,
// or has anything but printable ASCII, naming field.
func CheckKey(key, field string) error {
	if strings.TrimSpace(key) == "" || len(key) > MaxKeyLength {
		return Invalid(field, "an idempotency key has 1 to %d characters, not all blank", MaxKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return Invalid(field, "an idempotency key may hold only printable ASCII characters")
		}
	}
	return nil
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// KeyedID is the record id of an idempotency key: the same caller's key
// always names the same record, so the record is also the key's claim
// (one conditional write), and another caller's key never does.
func KeyedID(caller, key string) string {
	sum := sha256.Sum256([]byte("gmailsend-idempotency\x00" + caller + "\x00" + key))
	return idEncoding.EncodeToString(sum[:16])
}

// NewID is a random record id for a send without a key.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of an id, so a lookup of
// anything else is refused before the table is asked.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	_, err := idEncoding.DecodeString(s)
	return err == nil
}

// NewToken is a random claim token.
func NewToken() string { return NewID() }

// AccountOf is the account a record and the quota name: the stored
// credential's name when there is one, else an opaque hash of the address
// (lower-cased), so no address is stored.
func AccountOf(credentialName, address string) string {
	if credentialName != "" {
		return "credential:" + credentialName
	}
	sum := sha256.Sum256([]byte("gmailsend-account\x00" + strings.ToLower(address)))
	return "addr:" + hex.EncodeToString(sum[:12])
}
