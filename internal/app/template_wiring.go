package app

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/unsubscribe"
)

// wireTemplates gives the sender stored templates (the message table
// holds them) and, when both settings are there, unsubscribe links.
func wireTemplates(s *sender.Sender, cfg Config, table *dynamostore.Table) {
	s.Templates = &sender.Templates{Store: table}
	if cfg.UnsubscribeBaseURL != "" && len(cfg.UnsubscribeKey) > 0 {
		s.Unsubscribe = &sender.Unsubscribe{BaseURL: cfg.UnsubscribeBaseURL, Key: cfg.UnsubscribeKey, List: table}
	}
}

// unsubscribeBaseURL accepts an absolute https URL (RFC 8058 requires
// https) without query or fragment; a plain http URL only for loopback,
// for local runs.
func unsubscribeBaseURL(c *Config, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must be an absolute URL like https://abc123.execute-api.us-east-1.amazonaws.com/prod")
	}
	local := u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost"
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return errors.New("must be https (RFC 8058); http only for 127.0.0.1 or localhost")
	}
	c.UnsubscribeBaseURL = strings.TrimSuffix(v, "/")
	return nil
}

// unsubscribeKey is base64 (standard or URL alphabet, padded or not) of
// at least 32 bytes, e.g. `openssl rand -base64 32`.
func unsubscribeKey(c *Config, v string) error {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil {
			if len(k) < unsubscribe.MinKeyBytes {
				return errors.New("must hold at least 32 bytes (openssl rand -base64 32)")
			}
			c.UnsubscribeKey = k
			return nil
		}
	}
	return errors.New("must be base64 (openssl rand -base64 32)")
}
