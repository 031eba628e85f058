package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// Flags and arguments go where urfave/cli reads them, whatever order a user
// types them in: a command's arguments after its flags, a global flag typed
// after the command before it.
func TestInterspersed(t *testing.T) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	for _, tc := range []struct{ in, want string }{
		{"statledger correct ID --count 61 --reason x", "statledger correct --count 61 --reason x -- ID"},
		{"statledger verify --store x.db --report r.xlsx", "statledger --store x.db verify --report r.xlsx"},
		{"statledger summary --month 2025-10 --store=x.db", "statledger --store=x.db summary --month 2025-10"},
		{"statledger --store x.db replay --follow", "statledger --store x.db replay --follow"},
		{"statledger copy --from a.db --to b.db", "statledger copy --from a.db --to b.db"},
	} {
		if got := strings.Join(interspersed(app, strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// 'statledger help import' is import's help, as urfave/cli's own help
// command gives it, not the whole program's.
func TestHelpOfACommand(t *testing.T) {
	r := must(t, sl(t, "", "help", "import"), "help import")
	if !strings.Contains(r.stdout, "statledger import - validate and append events") {
		t.Errorf("help import printed:\n%s", r.stdout)
	}
}

// A suggested command line reads back as the words it was made of, in a
// POSIX shell; double quotes also suit Windows' shells.
func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"64":                        "64",
		"2025-10-20":                "2025-10-20",
		"https://example.org/a?b=1": `"https://example.org/a?b=1"`,
		"Cambodian National Police": `"Cambodian National Police"`,
		"":                          `""`,
		`the "Prince" compound`:     `'the "Prince" compound'`,
		"it's $5":                   `'it'\''s $5'`,
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}

// Run with 'go run', the demo's next step is a 'go run' too: 'statledger'
// is no command before 'go install'.
func TestSelfName(t *testing.T) {
	defer func(arg0 string) { os.Args[0] = arg0 }(os.Args[0])
	for arg0, want := range map[string]string{
		"/tmp/go-build3623/b001/exe/statledger":                           "go run ./cmd/statledger",
		`C:\Users\a\AppData\Local\Temp\go-build1\b001\exe\statledger.exe`: "go run ./cmd/statledger",
		"/usr/local/bin/statledger":                                       "statledger",
	} {
		os.Args[0] = arg0
		if got := selfName(); got != want {
			t.Errorf("%s: %q, want %q", arg0, got, want)
		}
	}
}
