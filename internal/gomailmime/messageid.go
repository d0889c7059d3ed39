package gomailmime

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// NewMessageID returns a globally unique Message-ID on the sender's domain,
// with angle brackets: 128 random bits make collisions negligible without
// any state shared between Lambda instances.
func NewMessageID(sender string) string {
	domain := sender[strings.LastIndexByte(sender, '@')+1:]
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return "<" + strconv.FormatInt(time.Now().UnixMilli(), 36) + "." + hex.EncodeToString(b[:]) + "@" + domain + ">"
}
