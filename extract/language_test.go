package extract

import "testing"

func TestDetectLanguage(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"english", "The ministers said that the agreement on the corridor was signed in Baku and will be ratified by parliament this year.", "en"},
		{"russian", "Министры заявили, что соглашение о коридоре было подписано в Баку и будет ратифицировано парламентом в этом году.", "ru"},
		{"kazakh", "Министрлер дәліз туралы келісімге Бакуде қол қойылғанын және оны парламент биыл бекітетінін мәлімдеді.", "kk"},
		{"azerbaijani", "Nazirlər bildiriblər ki, dəhliz haqqında saziş Bakıda imzalanıb və bu il parlament tərəfindən təsdiqlənəcək.", "az"},
		{"turkish", "Bakanlar, koridor anlaşmasının Bakü'de imzalandığını ve bu yıl parlamento tarafından onaylanacağını söyledi. Bu anlaşma için çok önemli bir adım olarak görülüyor.", "tr"},
		{"german", "Die Minister sagten, dass das Abkommen über den Korridor in Baku unterzeichnet wurde und in diesem Jahr vom Parlament ratifiziert wird.", "de"},
		{"french", "Les ministres ont déclaré que l'accord sur le corridor a été signé à Bakou et qu'il sera ratifié par le parlement cette année.", "fr"},
		{"spanish", "Los ministros dijeron que el acuerdo sobre el corredor se firmó en Bakú y que será ratificado por el parlamento este año.", "es"},
		{"chinese", "部长们表示，关于走廊的协议已在巴库签署，今年将由议会批准。这是一个重要的进展。", "zh"},
		{"georgian", "მინისტრებმა განაცხადეს, რომ დერეფნის შესახებ შეთანხმება ბაქოში გაფორმდა.", "ka"},
		{"too short", "Baku", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := detectLanguage(c.text); got != c.want {
				t.Errorf("detectLanguage = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNormalizeLanguage(t *testing.T) {
	cases := []struct{ in, want string }{
		{"en-US", "en"}, {"ru_RU", "ru"}, {"KK", "kk"}, {" az ", "az"}, {"", ""}, {"english", ""}, {"x1", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := normalizeLanguage(c.in); got != c.want {
				t.Errorf("normalizeLanguage(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
