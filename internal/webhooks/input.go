package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
)

// CreateInput is POST /webhooks's body.
type CreateInput struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	// Credentials are stored credentials (their names) whose suppression
	// lists' changes the endpoint receives; the caller must be allowed to
	// use each.
	Credentials []string `json:"credentials"`
}

// DecodeCreate reads POST /webhooks's body; unknown fields are refused.
func DecodeCreate(body []byte) (CreateInput, error) {
	var in CreateInput
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, gmailsend.Invalid("", "the body must be {\"url\", \"events\"?, \"description\"?, \"credentials\"?}")
	}
	return in, nil
}

// Subscribable are the event types an endpoint may ask for: every type but
// webhook.test, which goes only where POST /webhooks/{id}/test sends it.
func Subscribable() []gmailsend.EventType {
	return slices.DeleteFunc(gmailsend.EventTypes(), func(t gmailsend.EventType) bool { return t == gmailsend.EventWebhookTest })
}

// checkInput turns in into an endpoint, or says what is wrong with it.
func (r *Registry) checkInput(ctx context.Context, caller string, in CreateInput) (*Endpoint, error) {
	if in.URL == "" {
		return nil, gmailsend.Invalid("url", "url is required")
	}
	if len(in.URL) > MaxURLBytes {
		return nil, gmailsend.Invalid("url", "url may be at most %d bytes", MaxURLBytes)
	}
	if _, err := standardwebhooks.CheckURL(ctx, in.URL, r.URLs); err != nil {
		// The guard's message names the host and the refused class at
		// most, never the path or query (they often carry a token).
		var se *standardwebhooks.Error
		msg := "the URL is refused"
		if errors.As(err, &se) {
			msg = se.Message
		}
		return nil, gmailsend.Errorf(gmailsend.CodeWebhookURLRefused, "url", "%s (%s)", msg, standardwebhooks.CodeOf(err))
	}
	if !utf8.ValidString(in.Description) || utf8.RuneCountInString(in.Description) > MaxDescription {
		return nil, gmailsend.Invalid("description", "description must be UTF-8 of at most %d characters", MaxDescription)
	}
	known := Subscribable()
	var events []gmailsend.EventType
	for _, s := range in.Events {
		t := gmailsend.EventType(s)
		if !slices.Contains(known, t) {
			names := make([]string, len(known))
			for i, k := range known {
				names[i] = string(k)
			}
			return nil, gmailsend.Invalid("events", "unknown event type %q; known: %s", s, strings.Join(names, ", "))
		}
		if !slices.Contains(events, t) {
			events = append(events, t)
		}
	}
	if events == nil {
		events = []gmailsend.EventType{}
	}
	creds, accounts, err := r.checkCredentials(ctx, caller, in.Credentials, events)
	if err != nil {
		return nil, err
	}
	return &Endpoint{URL: in.URL, Events: events, Description: in.Description, Credentials: creds, Accounts: accounts}, nil
}
