package s3

import (
	"strings"
	"testing"
)

func TestValidateBucketName(t *testing.T) {
	cases := []struct {
		name string
		rule string // "" when valid
	}{
		{"cis-examples", ""},
		{"cis-examples-output", ""},
		{"abc", ""},
		{"my.bucket.name", ""},
		{"a" + strings.Repeat("b", 61) + "c", ""},
		{"ab", "between 3 and 63"},
		{strings.Repeat("a", 64), "between 3 and 63"},
		{"My_Bucket", "uppercase"},
		{"my_bucket", "only lowercase letters, digits, dots and hyphens"},
		{"-bucket", "begin and end"},
		{"bucket-", "begin and end"},
		{".bucket", "begin and end"},
		{"my..bucket", "two adjacent periods"},
		{"192.168.5.4", "IP address"},
		{"10.0.0.999", "IP address"},
		{"xn--bucket", `reserved prefix "xn--"`},
		{"sthree-bucket", `reserved prefix "sthree-"`},
		{"amzn-s3-demo-bucket", `reserved prefix "amzn-s3-demo-"`},
		{"bucket-s3alias", `reserved suffix "-s3alias"`},
		{"bucket--ol-s3", `reserved suffix "--ol-s3"`},
		{"bucket.mrap", `reserved suffix ".mrap"`},
		{"bucket--x-s3", `reserved suffix "--x-s3"`},
		{"bücket", "only lowercase letters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateBucketName(tc.name)
			switch {
			case tc.rule == "" && err != nil:
				t.Fatalf("refused a valid name: %v", err)
			case tc.rule != "" && err == nil:
				t.Fatalf("accepted; want a refusal mentioning %q", tc.rule)
			case tc.rule != "" && !strings.Contains(err.Error(), tc.rule):
				t.Fatalf("error %q does not mention %q", err, tc.rule)
			}
		})
	}
}
