package googleoauth

import (
	"encoding/json"
	"net"
	"net/url"

	"github.com/gmailsend/gmailsend"
)

// Google's endpoints, used when a client secret file names none.
const (
	GoogleAuthURL = "https://accounts.google.com/o/oauth2/auth"
)

// InstalledClient is a Google Cloud "Desktop app" OAuth client as the JSON
// file the console downloads describes it:
//
//	{"installed": {"client_id", "client_secret", "auth_uri", "token_uri", "redirect_uris", …}}
//
// The file's endpoints are honoured (tests point them at a local stand-in).
type InstalledClient struct {
	ClientID     string
	ClientSecret string
	AuthURL      string
	TokenURL     string
}

// ParseClientSecretFile reads the downloaded JSON. A "web" client is
// refused with what to create instead: its redirect URIs are fixed in the
// console, so a loopback redirect on a random port would be refused by
// Google after the user had already consented.
func ParseClientSecretFile(raw []byte) (InstalledClient, error) {
	bad := func(format string, args ...any) (InstalledClient, error) {
		return InstalledClient{}, gmailsend.Invalid("client-secret-file", format, args...)
	}
	var f struct {
		Installed *struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			AuthURI      string `json:"auth_uri"`
			TokenURI     string `json:"token_uri"`
		} `json:"installed"`
		Web json.RawMessage `json:"web"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return bad("is not the JSON of a Google Cloud OAuth client (download it from APIs & Services → Credentials)")
	}
	switch {
	case f.Installed == nil && f.Web != nil:
		return bad(`is a "Web application" client; create an OAuth client ID of type "Desktop app" and download its JSON`)
	case f.Installed == nil:
		return bad(`has no "installed" client; create an OAuth client ID of type "Desktop app" and download its JSON`)
	case f.Installed.ClientID == "" || f.Installed.ClientSecret == "":
		return bad("has no client_id or client_secret")
	}
	c := InstalledClient{ClientID: f.Installed.ClientID, ClientSecret: f.Installed.ClientSecret,
		AuthURL: f.Installed.AuthURI, TokenURL: f.Installed.TokenURI}
	if c.AuthURL == "" {
		c.AuthURL = GoogleAuthURL
	}
	if c.TokenURL == "" {
		c.TokenURL = GoogleTokenURL
	}
	for _, u := range []string{c.AuthURL, c.TokenURL} {
		if !secureEndpoint(u) {
			return bad("names endpoint %q: only https (or http on a loopback address) is allowed, so the client secret and codes never cross the network in clear", u)
		}
	}
	return c, nil
}

// secureEndpoint allows https anywhere and http only on loopback (local
// stand-ins).
func secureEndpoint(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	if u.Scheme != "http" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
