package setupcli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// webhookEndpoint is an endpoint as the webhooks API answers it (never with
// its secret: only add and rotate answer that).
type webhookEndpoint struct {
	ID             string    `json:"id"`
	URL            string    `json:"url"`
	Events         []string  `json:"events"`
	Description    string    `json:"description"`
	Credentials    []string  `json:"credentials"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabledReason"`
	CreatedAt      time.Time `json:"createdAt"`
}

// webhookFailure is one of GET /webhooks/{id}'s recentFailures.
type webhookFailure struct {
	At        time.Time `json:"at"`
	EventID   string    `json:"eventId"`
	EventType string    `json:"eventType"`
	Attempt   int       `json:"attempt"`
	Status    int       `json:"status"` // the receiver's HTTP status; 0 when none came
	Code      string    `json:"code"`
}

// eventsText says what an endpoint receives: an empty list is every type.
func eventsText(events []string) string {
	if len(events) == 0 {
		return "all"
	}
	return strings.Join(events, ",")
}

func enabledText(e webhookEndpoint) string {
	switch {
	case e.Enabled:
		return "yes"
	case e.DisabledReason != "":
		return "no (" + e.DisabledReason + ")"
	}
	return "no"
}

// urlWithoutQuery is how a listing shows a receiver's URL: webhook URLs
// often carry a token in their query, and a listing is what gets pasted
// into tickets. show prints the whole URL, the one thing it was asked for.
func urlWithoutQuery(raw string) string {
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		return raw[:i] + "?…"
	}
	return raw
}

// printEndpoint prints one endpoint as "name: value" lines; fullURL shows
// its query as well.
func (c *command) printEndpoint(e webhookEndpoint, fullURL bool) {
	shownURL := urlWithoutQuery(e.URL)
	if fullURL {
		shownURL = e.URL
	}
	c.printf("id:          %s\nurl:         %s\nevents:      %s\n", e.ID, shownURL, eventsText(e.Events))
	if e.Description != "" {
		c.printf("description: %s\n", e.Description)
	}
	if len(e.Credentials) > 0 {
		c.printf("credentials: %s\n", strings.Join(e.Credentials, ","))
	}
	c.printf("enabled:     %s\ncreated:     %s\n", enabledText(e), e.CreatedAt.UTC().Format(time.RFC3339))
}

// printEndpoints prints a listing as a table, one endpoint a line.
func (c *command) printEndpoints(list []webhookEndpoint) {
	if len(list) == 0 {
		c.notef("no webhook endpoints (add one with gmailsend webhooks add --url URL)\n")
		return
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENABLED\tEVENTS\tURL\tDESCRIPTION")
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, enabledText(e), eventsText(e.Events), urlWithoutQuery(e.URL), e.Description)
	}
	_ = tw.Flush()
}

// printFailures prints show's recent delivery failures, newest first as
// the API keeps them.
func (c *command) printFailures(failures []webhookFailure) {
	if len(failures) == 0 {
		c.printf("recent failures: none\n")
		return
	}
	c.printf("recent failures (%d, newest first):\n", len(failures))
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  AT\tEVENT\tTYPE\tATTEMPT\tSTATUS\tCODE")
	for _, f := range failures {
		status := "-" // no HTTP answer: a timeout, TLS or connection failure
		if f.Status != 0 {
			status = fmt.Sprint(f.Status)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\n", f.At.UTC().Format(time.RFC3339), f.EventID, f.EventType, f.Attempt, status, f.Code)
	}
	_ = tw.Flush()
}
