package setupcli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
)

// webhookVerbs are the subcommands of `gmailsend webhooks`: their command
// line and what they do, for the group's usage and each one's -h.
var webhookVerbs = []struct{ verb, synopsis, purpose string }{
	{"add", "--url URL [--events TYPE,…] [--description TEXT] [--credentials NAME,…]", "register an endpoint; prints its id and signing secret (shown only this once)"},
	{"list", "", "list the endpoints of this API key"},
	{"show", "ID", "one endpoint with its recent delivery failures"},
	{"remove", "ID", "delete an endpoint (no more deliveries to it)"},
	{"rotate", "ID", "new signing secret; the previous one keeps signing for a while"},
	{"test", "ID", "send the endpoint a webhook.test event; prints its event id"},
	{"enable", "ID", "enable an endpoint again after its receiver answered 410 Gone (same secret)"},
	{"verify", "--secret whsec_… --id ID --timestamp T --signature S < BODY", "check a received webhook's signature as a receiver must (or --header-file F)"},
}

// webhooksGroupUsage is the "webhooks" entry of groups (cli.go).
func webhooksGroupUsage() string {
	var b strings.Builder
	for _, v := range webhookVerbs {
		fmt.Fprintf(&b, "%s\n    %s\n", strings.TrimSpace("gmailsend webhooks "+v.verb+" "+v.synopsis), v.purpose)
	}
	return b.String()
}

// webhookFlagSet is a webhooks subcommand's flags, whose -h starts with its
// synopsis and purpose.
func (c *command) webhookFlagSet(verb string) *flag.FlagSet {
	fs := flag.NewFlagSet("gmailsend webhooks "+verb, flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	i := slices.IndexFunc(webhookVerbs, func(v struct{ verb, synopsis, purpose string }) bool { return v.verb == verb })
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of %s:\n  %s\n      %s\n", fs.Name(), strings.TrimSpace(fs.Name()+" "+webhookVerbs[i].synopsis), webhookVerbs[i].purpose)
		fs.PrintDefaults()
	}
	return fs
}

// webhooks is `gmailsend webhooks VERB …`: the deployment's /webhooks
// routes (docs/webhooks.md) with send's --endpoint, --api-key and
// refusals, and verify, which needs no deployment at all.
func (c *command) webhooks(ctx context.Context, verb string, args []string) error {
	if verb == "verify" {
		return c.webhooksVerify(args) // webhooks_verify.go
	}
	var (
		g      Globals
		add    webhookAddRequest
		events listFlag
		creds  listFlag
	)
	fs := c.webhookFlagSet(verb)
	g.registerTimeout(fs)
	endpoint := fs.String("endpoint", c.env.Getenv("GMAILSEND_ENDPOINT"), "the stack's API stage URL, or its SendEndpoint output (…/send) (env GMAILSEND_ENDPOINT)")
	apiKey := fs.String("api-key", c.env.Getenv("GMAILSEND_API_KEY"), "the API key's value; endpoints belong to the key that added them (env GMAILSEND_API_KEY)")
	if verb == "add" {
		fs.StringVar(&add.URL, "url", "", "the receiver's https URL (required)")
		fs.Var(&events, "events", "event types to receive, comma-separated or repeated (default: every type, including later ones)")
		fs.StringVar(&add.Description, "description", "", "a note for people (at most 256 characters)")
		fs.Var(&creds, "credentials", "stored credentials whose suppression lists' changes it receives, comma-separated or repeated (this API key must be allowed to use each)")
	}
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	wantID := verb != "add" && verb != "list"
	switch {
	case wantID && len(positional) != 1:
		return usagef("webhooks %s takes one endpoint ID (see gmailsend webhooks list)", verb)
	case !wantID && len(positional) != 0:
		return usagef("webhooks %s takes no arguments, got %q", verb, positional[0])
	case verb == "add" && add.URL == "":
		return usagef("--url URL is required (the receiver's https address)")
	}
	api, err := newWebhookAPI(c, *endpoint, *apiKey, g.Timeout)
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		add.Events, add.Credentials = events, creds
		return api.add(ctx, add)
	case "list":
		return api.list(ctx)
	}
	path := "/webhooks/" + url.PathEscape(positional[0])
	switch verb {
	case "show":
		return api.show(ctx, path)
	case "remove":
		return api.remove(ctx, path, positional[0])
	case "rotate":
		return api.rotate(ctx, path)
	case "enable":
		return api.enable(ctx, path)
	}
	return api.test(ctx, path)
}

// webhookAPI is the deployment's /webhooks routes as one API key sees them.
type webhookAPI struct {
	c        *command
	endpoint string // as given, for error messages
	base     string // the stage URL, without /send
	apiKey   string
	timeout  time.Duration
}

func newWebhookAPI(c *command, endpoint, apiKey string, timeout time.Duration) (*webhookAPI, error) {
	switch {
	case endpoint == "":
		return nil, usagef("--endpoint URL is required (the stack's API URL; or set GMAILSEND_ENDPOINT)")
	case apiKey == "":
		return nil, usagef("--api-key KEY is required (or set GMAILSEND_API_KEY)")
	}
	if _, err := checkEndpoint(endpoint); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(strings.TrimSuffix(endpoint, "/"), "/send")
	return &webhookAPI{c: c, endpoint: endpoint, base: base, apiKey: apiKey, timeout: timeout}, nil
}

// do makes one request, bounded by --timeout, and decodes a 2xx answer
// into out (nil: the answer is not read). Anything else is the API's
// error.
func (a *webhookAPI) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	step, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	status, answer, err := a.c.call(step, method, a.base+path, a.apiKey, body)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		a.c.remote = true
		return webhookAnswerError(a.endpoint, status, answer)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("%s %s answered HTTP %d with something that is not the webhooks API's JSON: is --endpoint the stack's API URL? (%w)", method, path, status, err)
	}
	return nil
}

// codedError is a failure whose code gmailsend's own table does not know:
// the webhooks API's (webhook_not_found, webhook_url_refused, …) and
// standardwebhooks' verification codes. It is deliberately not a
// gmailsend.Error: report would take an unknown code for one that "may
// pass if tried again later", which a missing endpoint or a forged
// signature never does.
type codedError struct{ code, message, field string }

func (e *codedError) Error() string {
	if e.field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.code, e.message, e.field)
	}
	return e.code + ": " + e.message
}

// webhookAnswerError is the error of a failed answer: the API's code,
// message and field, or send's explanation of API Gateway's refusals.
func webhookAnswerError(endpoint string, status int, answer []byte) error {
	var fn struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	_ = json.Unmarshal(answer, &fn)
	switch {
	case fn.Error != nil && fn.Error.Code == string(gmailsend.CodeRouteNotFound),
		fn.Error == nil && status == http.StatusNotFound:
		// send's advice ("must end in /send") does not fit: these routes
		// sit beside /send, and a deployment from before webhooks lacks them.
		return fmt.Errorf("%s has no webhooks routes (HTTP %d): deploy a version with webhooks, and pass the stack's API URL or SendEndpoint output", endpoint, status)
	case fn.Error != nil && fn.Error.Code != "" && !slices.Contains(gmailsend.Codes(), gmailsend.Code(fn.Error.Code)):
		return &codedError{code: fn.Error.Code, message: fn.Error.Message, field: fn.Error.Field}
	}
	return answerError(endpoint, status, answer)
}

// webhookAddRequest is POST /webhooks's body.
type webhookAddRequest struct {
	URL         string   `json:"url"`
	Events      []string `json:"events,omitempty"`
	Description string   `json:"description,omitempty"`
	Credentials []string `json:"credentials,omitempty"`
}

func (a *webhookAPI) add(ctx context.Context, req webhookAddRequest) error {
	var created struct {
		webhookEndpoint
		Secret string `json:"secret"`
	}
	if err := a.do(ctx, http.MethodPost, "/webhooks", req, &created); err != nil {
		return err
	}
	if created.Secret == "" {
		// Without it the endpoint can never be verified: say so rather than
		// print an empty secret line.
		return fmt.Errorf("%s registered %s but answered without its secret: rotate it (gmailsend webhooks rotate %s) to get one", a.endpoint, created.ID, created.ID)
	}
	a.c.printEndpoint(created.webhookEndpoint, false)
	// The secret is the one thing add exists to hand over; the API never
	// shows it again, so it goes to stdout with a warning beside it.
	a.c.printf("secret:      %s\n", created.Secret)
	a.c.notef("The secret will not be shown again: store it with the receiver now (a lost one is replaced with gmailsend webhooks rotate %s).\n", created.ID)
	return nil
}

func (a *webhookAPI) list(ctx context.Context) error {
	var listed struct {
		Webhooks []webhookEndpoint `json:"webhooks"`
	}
	if err := a.do(ctx, http.MethodGet, "/webhooks", nil, &listed); err != nil {
		return err
	}
	a.c.printEndpoints(listed.Webhooks)
	return nil
}

func (a *webhookAPI) show(ctx context.Context, path string) error {
	var shown struct {
		webhookEndpoint
		RecentFailures []webhookFailure `json:"recentFailures"`
	}
	if err := a.do(ctx, http.MethodGet, path, nil, &shown); err != nil {
		return err
	}
	a.c.printEndpoint(shown.webhookEndpoint, true)
	a.c.printFailures(shown.RecentFailures)
	return nil
}

// enable turns an endpoint disabled by 410 Gone back on and prints it.
func (a *webhookAPI) enable(ctx context.Context, path string) error {
	var enabled webhookEndpoint
	if err := a.do(ctx, http.MethodPost, path+"/enable", nil, &enabled); err != nil {
		return err
	}
	a.c.printEndpoint(enabled, false)
	return nil
}

func (a *webhookAPI) remove(ctx context.Context, path, id string) error {
	if err := a.do(ctx, http.MethodDelete, path, nil, nil); err != nil {
		return err
	}
	a.c.printf("removed %s\n", id)
	return nil
}

func (a *webhookAPI) rotate(ctx context.Context, path string) error {
	var rotated struct {
		ID                      string    `json:"id"`
		Secret                  string    `json:"secret"`
		PreviousSecretExpiresAt time.Time `json:"previousSecretExpiresAt"`
	}
	if err := a.do(ctx, http.MethodPost, path+"/rotate", nil, &rotated); err != nil {
		return err
	}
	a.c.printf("id:          %s\nsecret:      %s\n", rotated.ID, rotated.Secret)
	a.c.printf("the previous secret keeps signing until %s (%s from now): until then both verify\n",
		rotated.PreviousSecretExpiresAt.UTC().Format(time.RFC3339), time.Until(rotated.PreviousSecretExpiresAt).Round(time.Minute))
	a.c.notef("The new secret will not be shown again: give it to the receiver before the previous one stops signing.\n")
	return nil
}

func (a *webhookAPI) test(ctx context.Context, path string) error {
	var queued struct {
		EventID string `json:"eventId"`
	}
	if err := a.do(ctx, http.MethodPost, path+"/test", nil, &queued); err != nil {
		return err
	}
	a.c.printf("%s\n", queued.EventID)
	a.c.notef("queued: the receiver gets it with webhook-id %s; a failure shows in gmailsend webhooks show\n", queued.EventID)
	return nil
}
