package standardwebhooks

import (
	"context"
	"testing"
)

// TestCheckURLRefusesEachAddressClass ensures every class of address a
// webhook must not reach is refused with the code that names it, whether it
// is written literally, hidden in an IPv6 form, or behind a name.
func TestCheckURLRefusesEachAddressClass(t *testing.T) {
	resolver := newScriptedResolver(map[string][][]string{
		"metadata.test": {{"169.254.169.254"}},
		"mixed.test":    {{"93.184.216.34", "10.0.0.7"}},
		"v6only.test":   {{"fd00::53"}},
		"localhost":     {{"127.0.0.1", "::1"}},
	})
	cases := []struct {
		url  string
		want Code
	}{
		{"https://127.0.0.1/", CodeAddrLoopback},
		{"https://127.1.2.3:8443/", CodeAddrLoopback},
		{"https://[::1]/", CodeAddrLoopback},
		{"https://localhost/", CodeAddrLoopback},
		{"https://10.1.2.3/", CodeAddrPrivate},
		{"https://172.16.0.1/", CodeAddrPrivate},
		{"https://172.31.255.255/", CodeAddrPrivate},
		{"https://192.168.1.1/", CodeAddrPrivate},
		{"https://mixed.test/", CodeAddrPrivate},
		{"https://[fec0::1]/", CodeAddrPrivate},
		{"https://[64:ff9b:1::a00:1]/", CodeAddrPrivate},
		{"https://100.64.0.1/", CodeAddrCGNAT},
		{"https://100.127.255.254/", CodeAddrCGNAT},
		{"https://169.254.169.254/latest/meta-data/", CodeAddrLinkLocal},
		{"https://metadata.test/", CodeAddrLinkLocal},
		{"https://[fe80::1]/", CodeAddrLinkLocal},
		{"https://[fe80::1%25eth0]/", CodeAddrLinkLocal},
		{"https://[fc00::1]/", CodeAddrUniqueLocal},
		{"https://[fd12:3456::1]/", CodeAddrUniqueLocal},
		{"https://v6only.test/", CodeAddrUniqueLocal},
		{"https://0.0.0.0/", CodeAddrUnspecified},
		{"https://0.1.2.3/", CodeAddrUnspecified},
		{"https://[::]/", CodeAddrUnspecified},
		{"https://224.0.0.1/", CodeAddrMulticast},
		{"https://239.255.255.250/", CodeAddrMulticast},
		{"https://[ff02::1]/", CodeAddrMulticast},
		{"https://255.255.255.255/", CodeAddrBroadcast},
		{"https://240.0.0.1/", CodeAddrReserved},
		{"https://[::ffff:127.0.0.1]/", CodeAddrLoopback},
		{"https://[::ffff:a9fe:a9fe]/", CodeAddrLinkLocal},
		{"https://[::ffff:10.0.0.1]/", CodeAddrPrivate},
		{"https://[::127.0.0.1]/", CodeAddrLoopback},
		{"https://[::8.8.8.8]/", CodeAddrReserved},
		{"https://[64:ff9b::169.254.169.254]/", CodeAddrLinkLocal},
		{"https://[64:ff9b::7f00:1]/", CodeAddrLoopback},
		{"https://[2002:c0a8:0101::1]/", CodeAddrPrivate},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			_, err := CheckURL(context.Background(), c.url, URLPolicy{Resolver: resolver})
			if CodeOf(err) != c.want {
				t.Fatalf("CheckURL = %v, want %s", err, c.want)
			}
			if !CodeOf(err).AddressRefused() {
				t.Fatalf("%s is not counted as an address refusal", c.want)
			}
		})
	}
}

// TestAddressRefusedIsTheAddressClassesOnly ensures the receiver's own failures and the URL's form are not counted as the guard refusing an address.
func TestAddressRefusedIsTheAddressClassesOnly(t *testing.T) {
	for _, c := range []Code{"", CodeTimeout, CodeTLS, CodeTransport, CodeRedirect, CodeEndpointStatus, CodeEndpointGone,
		CodeResolveFailed, CodeInvalidURL, CodeURLScheme, CodeURLUserinfo, CodeInvalidSecret} {
		if c.AddressRefused() {
			t.Errorf("%q counted as an address refusal", c)
		}
	}
}

// TestCheckURLAcceptsPublicHTTPSOnly ensures public https passes, every
// other scheme and userinfo are refused, and plain http is allowed only to
// loopback and only when local runs allow it.
func TestCheckURLAcceptsPublicHTTPSOnly(t *testing.T) {
	resolver := newScriptedResolver(map[string][][]string{
		"hooks.example.test": {{"93.184.216.34", "2606:2800:220:1::1"}},
		"localhost":          {{"127.0.0.1"}},
	})
	cases := []struct {
		url           string
		allowLoopback bool
		want          Code
	}{
		{"https://hooks.example.test/in?token=abc", false, ""},
		{"https://93.184.216.34:8443/", false, ""},
		{"https://[2606:4700:4700::1111]/", false, ""},
		{"https://[64:ff9b::808:808]/", false, ""}, // NAT64 of a public address
		{"http://hooks.example.test/", false, CodeURLScheme},
		{"http://hooks.example.test/", true, CodeURLScheme},
		{"ftp://hooks.example.test/", false, CodeURLScheme},
		{"HTTPS://hooks.example.test/", false, ""},
		{"https://user:pw@hooks.example.test/", false, CodeURLUserinfo},
		{"https://user@hooks.example.test/", false, CodeURLUserinfo},
		{"https:///nohost", false, CodeInvalidURL},
		{"/relative/only", false, CodeInvalidURL},
		{"https://%zz/", false, CodeInvalidURL},
		{"https://unknown.test/", false, CodeResolveFailed},
		{"http://127.0.0.1:8080/", false, CodeAddrLoopback},
		{"http://127.0.0.1:8080/", true, ""},
		{"http://localhost:8080/", true, ""},
		{"https://[::1]:8443/", true, ""},
		{"https://10.0.0.1/", true, CodeAddrPrivate},
		{"https://169.254.169.254/", true, CodeAddrLinkLocal},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			_, err := CheckURL(context.Background(), c.url, URLPolicy{AllowLoopback: c.allowLoopback, Resolver: resolver})
			if CodeOf(err) != c.want {
				t.Fatalf("CheckURL(allowLoopback=%v) = %v, want %q", c.allowLoopback, err, c.want)
			}
		})
	}
}

// TestCheckURLErrorsKeepTheQueryAndCredentialsOut ensures a refusal can be
// logged: it names neither the password nor the token in the query.
func TestCheckURLErrorsKeepTheQueryAndCredentialsOut(t *testing.T) {
	for _, raw := range []string{
		"https://user:hunter2@hooks.example.test/?token=SEKRET",
		"https://10.0.0.1/hook?token=SEKRET",
		"https://nowhere.test/hook?token=SEKRET",
		"https://%zz/hook?token=SEKRET&p=hunter2",
	} {
		_, err := CheckURL(context.Background(), raw, URLPolicy{Resolver: newScriptedResolver(nil)})
		if err == nil {
			t.Fatalf("%s accepted", raw)
		}
		assertNoText(t, err, "SEKRET")
		assertNoText(t, err, "hunter2")
	}
}
