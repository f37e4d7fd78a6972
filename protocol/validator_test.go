package protocol

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/internal/frametest"
)

// Token vectors from captures of real Pyro 3.16 handshakes (spec.md §3.3).
func TestCreateToken(t *testing.T) {
	v := &DefaultValidator{}
	tests := []struct {
		name       string
		challenge  string
		passphrase string // "" = no identification (empty ident)
		want       string
	}{
		{"trace 01 no ident", "54ed7bf7ed94f44cdc1a35e9a9d8b5b0", "", "76d41a797eb50a95b937d04d3c4d0fcf"},
		{"trace 11 s3cr3t", "e218b9918ee54eb029c4eae274b349d7", "s3cr3t", "6d418ad32d61fb123e163b5edfd9b1c0"},
		{"trace 12 wrong", "5629b30cc882a1b2e50a87978391d986", "wrong", "c7d919656d09207ab8a0d44d47aa635d"},
		{"trace 12 no ident", "163456f64e05b8798785fae61c369d0f", "", "430308df00c7c2ee8c47fb24adf43089"},
		{"trace 14 no ident", "4fe31d19b771b38c644c4f0fb34326df", "", "58ab817d436091278694c12b58cac034"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ident []byte
			if tt.passphrase != "" {
				ident = v.MungeIdent(tt.passphrase)
			}
			got, err := v.CreateToken(unhex(t, tt.challenge), ident)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, hex.EncodeToString(got)); diff != "" {
				t.Errorf("token (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMungeIdent(t *testing.T) {
	got := hex.EncodeToString((&DefaultValidator{}).MungeIdent("s3cr3t"))
	if want := "a4d80eac9ab26a4a2da04125bc2c096a"; got != want {
		t.Errorf("MungeIdent(s3cr3t) = %s, want %s", got, want)
	}
}

func TestAcceptIdentification(t *testing.T) {
	type verdict struct {
		OK     bool
		Reason DenyReason
	}
	tests := []struct {
		name      string
		allowed   []string
		challenge string
		token     string
		want      verdict
	}{
		{"no ids set accepts anything", nil, "e218b9918ee54eb029c4eae274b349d7", "00", verdict{true, 0}},
		{"no ids set accepts empty token", nil, "e218b9918ee54eb029c4eae274b349d7", "", verdict{true, 0}},
		{"trace 11 right token", []string{"s3cr3t"}, "e218b9918ee54eb029c4eae274b349d7", "6d418ad32d61fb123e163b5edfd9b1c0", verdict{true, 0}},
		{"second of several ids", []string{"other", "s3cr3t"}, "e218b9918ee54eb029c4eae274b349d7", "6d418ad32d61fb123e163b5edfd9b1c0", verdict{true, 0}},
		{"trace 12 wrong token", []string{"s3cr3t"}, "5629b30cc882a1b2e50a87978391d986", "c7d919656d09207ab8a0d44d47aa635d", verdict{false, DenySecurity}},
		{"trace 12 no ident", []string{"s3cr3t"}, "163456f64e05b8798785fae61c369d0f", "430308df00c7c2ee8c47fb24adf43089", verdict{false, DenySecurity}},
		{"token for another challenge", []string{"s3cr3t"}, "5629b30cc882a1b2e50a87978391d986", "6d418ad32d61fb123e163b5edfd9b1c0", verdict{false, DenySecurity}},
		{"truncated token", []string{"s3cr3t"}, "e218b9918ee54eb029c4eae274b349d7", "6d418ad32d61fb123e163b5edfd9b1", verdict{false, DenySecurity}},
		{"empty list refuses all", []string{}, "e218b9918ee54eb029c4eae274b349d7", "6d418ad32d61fb123e163b5edfd9b1c0", verdict{false, DenySecurity}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &DefaultValidator{}
			v.SetAllowedIdentifications(tt.allowed)
			ok, reason := v.AcceptIdentification(ConnInfo{}, unhex(t, tt.challenge), unhex(t, tt.token))
			if diff := cmp.Diff(tt.want, verdict{ok, reason}); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAcceptHost(t *testing.T) {
	type verdict struct {
		OK     bool
		Reason DenyReason
	}
	tests := []struct {
		max, conns int
		want       verdict
	}{
		{0, 1, verdict{true, 0}},
		{0, 199, verdict{true, 0}},
		{0, 200, verdict{false, DenyServerTooBusy}},
		{1, 1, verdict{false, DenyServerTooBusy}}, // Pyro: MAXCONNECTIONS=1 refuses everyone
		{2, 1, verdict{true, 0}},
		{2, 2, verdict{false, DenyServerTooBusy}},
	}
	for _, tt := range tests {
		v := &DefaultValidator{MaxConnections: tt.max}
		ok, reason := v.AcceptHost(ConnInfo{Connections: tt.conns})
		if diff := cmp.Diff(tt.want, verdict{ok, reason}); diff != "" {
			t.Errorf("max %d conns %d (-want +got):\n%s", tt.max, tt.conns, diff)
		}
	}
}

func TestCreateChallenge(t *testing.T) {
	v := &DefaultValidator{}
	a, err := v.CreateChallenge(ConnInfo{LocalAddr: frametest.Addr("127.0.0.1:7766")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.CreateChallenge(ConnInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != ChallengeSize || len(b) != ChallengeSize || bytes.Equal(a, b) {
		t.Errorf("challenges %x, %x: want two different 16-byte values", a, b)
	}
}

func TestDenyReason(t *testing.T) {
	tests := []struct {
		r    DenyReason
		text string
		code byte
	}{
		{DenyUnspecified, "unspecified reason", '0'},
		{DenyServerTooBusy, "server too busy", '1'},
		{DenyHostBlocked, "host blocked", '2'},
		{DenySecurity, "security reasons", '3'},
		{7, "invalid response", '7'},
		{12, "invalid response", '1'}, // str(12)[0], like Pyro
		{DenyInvalid, "invalid response", '-'},
	}
	for _, tt := range tests {
		if got := (&DeniedError{tt.r}).Error(); got != tt.text {
			t.Errorf("DeniedError{%d} = %q, want %q", tt.r, got, tt.text)
		}
		if got := tt.r.code(); got != tt.code {
			t.Errorf("code(%d) = %q, want %q", tt.r, got, tt.code)
		}
	}
	for c, want := range map[byte]DenyReason{'0': 0, '3': 3, '9': 9, 'x': DenyInvalid, 0: DenyInvalid} {
		if got := parseDenyReason(c); got != want {
			t.Errorf("parseDenyReason(%q) = %d, want %d", c, got, want)
		}
	}
}
