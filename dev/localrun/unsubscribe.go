package main

import (
	"crypto/rand"
	"encoding/base64"
	"net"
)

// unsubscribeBase is set by `make serve`: the function's unsubscribe links
// point at the local endpoint (http on loopback, which UNSUBSCRIBE_BASE_URL
// accepts only there), so a link in a delivered .eml works in a browser.
var unsubscribeBase string

// unsubscribeBaseFor is the links' base for a listen address (":3000" is
// 127.0.0.1:3000).
func unsubscribeBaseFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// unsubscribeEnv is the function's unsubscribe settings for a local run:
// a fresh key each run (links of an earlier run are invalid, as after a
// key rotation).
func unsubscribeEnv() []string {
	if unsubscribeBase == "" {
		return nil
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return []string{"UNSUBSCRIBE_BASE_URL=" + unsubscribeBase, "UNSUBSCRIBE_KEY=" + base64.StdEncoding.EncodeToString(key)}
}
