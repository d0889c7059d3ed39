package mailpit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

// Message is what Mailpit's API says of one message.
type Message struct {
	ID          string
	MessageID   string
	From        *mail.Address
	To, Cc      []*mail.Address
	Subject     string
	HTML, Text  string
	Attachments []Attachment
}

// Attachment is one attached file.
type Attachment struct {
	PartID, FileName, ContentType string
	Size                          int
}

// IDs are the ids of the messages Mailpit holds, newest first.
func (s *Server) IDs(ctx context.Context) ([]string, error) {
	var list struct{ Messages []struct{ ID string } }
	if err := s.get(ctx, "/api/v1/messages", &list); err != nil {
		return nil, err
	}
	ids := make([]string, len(list.Messages))
	for i, m := range list.Messages {
		ids[i] = m.ID
	}
	return ids, nil
}

// Message reads one message: its decoded headers, bodies and attachments.
func (s *Server) Message(ctx context.Context, id string) (*Message, error) {
	var m Message
	return &m, s.get(ctx, "/api/v1/message/"+id, &m)
}

// Links are where a browser shows message id: rendered HTML, source,
// headers, and each attachment.
func (s *Server) Links(m *Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  HTML:     %s/view/%s.html\n", s.URL, m.ID)
	fmt.Fprintf(&b, "  source:   %s/api/v1/message/%s/raw\n", s.URL, m.ID)
	fmt.Fprintf(&b, "  headers:  %s/api/v1/message/%s/headers\n", s.URL, m.ID)
	for _, a := range m.Attachments {
		fmt.Fprintf(&b, "  file:     %s/api/v1/message/%s/part/%s  (%s, %s)\n", s.URL, m.ID, a.PartID, a.FileName, a.ContentType)
	}
	return b.String()
}

func (s *Server) get(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit: GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
