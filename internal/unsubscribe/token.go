// Package unsubscribe makes and checks the tokens of one-click unsubscribe
// links (RFC 8058): each names a sending mailbox's suppression list, a
// recipient and the message that carried it, under a keyed MAC.
//
// A token holds no address: the recipient is its hash (bounce.AddressHash),
// which is what the suppression list is keyed by, so the list can be
// written without the address ever being known again. The MAC key is the
// deployment's (UNSUBSCRIBE_KEY): without it no token can be made or
// altered, and a token of one deployment means nothing to another.
//
// The package does no I/O; the suppression list and HTTP are elsewhere.
package unsubscribe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// MinKeyBytes is the shortest key accepted (HMAC-SHA-256 gains nothing
// past 32 bytes and loses below).
const MinKeyBytes = 32

// Token is what a link names. Account is a suppression list's key
// (bounce.AccountKey: "addr:" and 24 hex digits), AddressHash a
// recipient's (bounce.AddressHash: 32 hex digits), Message the message
// record's id (26 characters).
type Token struct {
	Account     string
	AddressHash string
	Message     string
}

const (
	version      = 1
	accountBytes = 12
	addressBytes = 16
	messageChars = 26
	macBytes     = 16
	tokenBytes   = 1 + accountBytes + addressBytes + messageChars + macBytes
)

// ErrInvalid: the token is malformed, or its MAC does not verify.
var ErrInvalid = errors.New("unsubscribe: invalid token")

// Strict: a token has one spelling, so a changed padding bit is a changed token.
var encoding = base64.RawURLEncoding.Strict()

// Sign returns t as a URL-safe token under key.
func Sign(key []byte, t Token) (string, error) {
	acct, err := hex.DecodeString(strings.TrimPrefix(t.Account, "addr:"))
	if err != nil || len(acct) != accountBytes || !strings.HasPrefix(t.Account, "addr:") {
		return "", errors.New("unsubscribe: account is not a suppression list key")
	}
	addr, err := hex.DecodeString(t.AddressHash)
	if err != nil || len(addr) != addressBytes {
		return "", errors.New("unsubscribe: address hash has the wrong shape")
	}
	if len(t.Message) != messageChars {
		return "", errors.New("unsubscribe: message id has the wrong shape")
	}
	b := make([]byte, 0, tokenBytes)
	b = append(b, version)
	b = append(b, acct...)
	b = append(b, addr...)
	b = append(b, t.Message...)
	b = append(b, mac(key, b)...)
	return encoding.EncodeToString(b), nil
}

// Verify returns the token s names when its MAC verifies under key;
// anything else is ErrInvalid, with nothing said about why.
func Verify(key []byte, s string) (Token, error) {
	if len(key) < MinKeyBytes || encoding.EncodedLen(tokenBytes) != len(s) {
		return Token{}, ErrInvalid
	}
	b, err := encoding.DecodeString(s)
	if err != nil || len(b) != tokenBytes || b[0] != version {
		return Token{}, ErrInvalid
	}
	body, sum := b[:tokenBytes-macBytes], b[tokenBytes-macBytes:]
	if !hmac.Equal(sum, mac(key, body)) {
		return Token{}, ErrInvalid
	}
	i := 1
	t := Token{Account: "addr:" + hex.EncodeToString(body[i:i+accountBytes])}
	i += accountBytes
	t.AddressHash = hex.EncodeToString(body[i : i+addressBytes])
	i += addressBytes
	t.Message = string(body[i : i+messageChars])
	return t, nil
}

// mac is HMAC-SHA-256 under a label of this use, cut to 128 bits.
func mac(key, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("gmailsend-unsubscribe\x00"))
	h.Write(body)
	return h.Sum(nil)[:macBytes]
}
