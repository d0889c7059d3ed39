package credential

import (
	"regexp"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// maxNameLength keeps prefix+name within Secrets Manager's 512-character
// limit with room for any prefix.
const maxNameLength = 128

var namePattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)

// CheckName refuses any name that could reach outside the configured
// prefix: path climbing, ARNs (':' is not allowed), leading slashes.
func CheckName(name string) error {
	switch {
	case name == "":
		return gmailsend.Invalid("credential", "must not be empty")
	case len(name) > maxNameLength:
		return gmailsend.Invalid("credential", "longer than %d characters", maxNameLength)
	case !namePattern.MatchString(name):
		return gmailsend.Invalid("credential", "may hold only letters, digits and / _ + = . @ -")
	case strings.Contains(name, ".."), strings.HasPrefix(name, "/"), strings.HasPrefix(name, "."):
		return gmailsend.Invalid("credential", "must not start with / or . nor contain ..")
	}
	return nil
}
