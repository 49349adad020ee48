package yamledit

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxValueBytes bounds one value an adapter derives from a document: a string an intrinsic function
// builds, or a list read through aliases, measured as its text plus ListItemBytes for each list item.
// CloudFormation accepts templates of at most 1 MB, and EKS at most 40 public access CIDR blocks, so
// no real value comes near it; YAML aliases, though, let a 1 MB file ask for gigabytes.
const MaxValueBytes = 1 << 20

// ListItemBytes is what one list item counts towards MaxValueBytes besides its text, so that a list
// of a million empty strings is as large as it costs.
const ListItemBytes = 16

// ByteSize renders a byte count for messages: "900 bytes", "1 MiB", "18.6 GiB".
func ByteSize(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	if n < 1<<10 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	f, u := float64(n)/(1<<10), 0
	for f >= 1<<10 && u < len(units)-1 {
		f, u = f/(1<<10), u+1
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + units[u]
}

// ListTooLarge says why a sequence named field is too large to read: aliases let a short list name
// one long string many times, so it is sized before it is read. "" when it is within MaxValueBytes.
func ListTooLarge(n *yaml.Node, field string) string {
	size := int64(0)
	for _, e := range n.Content {
		if e = Deref(e); e != nil {
			size += int64(len(e.Value)) + ListItemBytes
		}
	}
	if size > MaxValueBytes {
		return fmt.Sprintf("%s would hold %d items (%s), over eksguard's %s limit for a value",
			field, len(n.Content), ByteSize(size), ByteSize(MaxValueBytes))
	}
	return ""
}
