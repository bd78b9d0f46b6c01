// clickbench_gen: a synthetic ClickBench `hits` table (tools/bench/clickbench.sh).
//
//   clickbench_gen ROWS [--seed S] [-o FILE]   CSV with a header row (stdout by default)
//   clickbench_gen --schema quiver|duckdb      the column types, for `quiver ingest
//                                              --schema` and DuckDB's read_csv(columns=)
//
// All 105 columns of ClickBench's create.sql, with ClickBench's names and
// types. The values are invented, not Yandex's, but skewed like them so that
// each of the 43 queries has work to do and returns rows: Zipf-like URLs,
// titles, referers and search phrases (most SearchPhrase values empty),
// heavy-hitter UserIDs (the most frequent is 435090932899640449, the id Q20
// looks up), CounterID 62 on ~30% of the rows, EventTime in July 2013, the
// URLHash and RefererHash constants of Q41/Q42 on the most frequent URL and on
// the empty referer. Deterministic: row i depends only on (seed, i), so the
// same arguments always write the same bytes. Rows are generated in blocks
// by all cores and written in order.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

enum class Kind { kInt16, kInt32, kInt64, kText, kTimestamp, kDate };

struct Column {
  const char* name;
  Kind kind;
};

// ClickBench's create.sql, in its order.
constexpr Column kColumns[] = {
    {"WatchID", Kind::kInt64},
    {"JavaEnable", Kind::kInt16},
    {"Title", Kind::kText},
    {"GoodEvent", Kind::kInt16},
    {"EventTime", Kind::kTimestamp},
    {"EventDate", Kind::kDate},
    {"CounterID", Kind::kInt32},
    {"ClientIP", Kind::kInt32},
    {"RegionID", Kind::kInt32},
    {"UserID", Kind::kInt64},
    {"CounterClass", Kind::kInt16},
    {"OS", Kind::kInt16},
    {"UserAgent", Kind::kInt16},
    {"URL", Kind::kText},
    {"Referer", Kind::kText},
    {"IsRefresh", Kind::kInt16},
    {"RefererCategoryID", Kind::kInt16},
    {"RefererRegionID", Kind::kInt32},
    {"URLCategoryID", Kind::kInt16},
    {"URLRegionID", Kind::kInt32},
    {"ResolutionWidth", Kind::kInt16},
    {"ResolutionHeight", Kind::kInt16},
    {"ResolutionDepth", Kind::kInt16},
    {"FlashMajor", Kind::kInt16},
    {"FlashMinor", Kind::kInt16},
    {"FlashMinor2", Kind::kText},
    {"NetMajor", Kind::kInt16},
    {"NetMinor", Kind::kInt16},
    {"UserAgentMajor", Kind::kInt16},
    {"UserAgentMinor", Kind::kText},
    {"CookieEnable", Kind::kInt16},
    {"JavascriptEnable", Kind::kInt16},
    {"IsMobile", Kind::kInt16},
    {"MobilePhone", Kind::kInt16},
    {"MobilePhoneModel", Kind::kText},
    {"Params", Kind::kText},
    {"IPNetworkID", Kind::kInt32},
    {"TraficSourceID", Kind::kInt16},
    {"SearchEngineID", Kind::kInt16},
    {"SearchPhrase", Kind::kText},
    {"AdvEngineID", Kind::kInt16},
    {"IsArtifical", Kind::kInt16},
    {"WindowClientWidth", Kind::kInt16},
    {"WindowClientHeight", Kind::kInt16},
    {"ClientTimeZone", Kind::kInt16},
    {"ClientEventTime", Kind::kTimestamp},
    {"SilverlightVersion1", Kind::kInt16},
    {"SilverlightVersion2", Kind::kInt16},
    {"SilverlightVersion3", Kind::kInt32},
    {"SilverlightVersion4", Kind::kInt16},
    {"PageCharset", Kind::kText},
    {"CodeVersion", Kind::kInt32},
    {"IsLink", Kind::kInt16},
    {"IsDownload", Kind::kInt16},
    {"IsNotBounce", Kind::kInt16},
    {"FUniqID", Kind::kInt64},
    {"OriginalURL", Kind::kText},
    {"HID", Kind::kInt32},
    {"IsOldCounter", Kind::kInt16},
    {"IsEvent", Kind::kInt16},
    {"IsParameter", Kind::kInt16},
    {"DontCountHits", Kind::kInt16},
    {"WithHash", Kind::kInt16},
    {"HitColor", Kind::kText},
    {"LocalEventTime", Kind::kTimestamp},
    {"Age", Kind::kInt16},
    {"Sex", Kind::kInt16},
    {"Income", Kind::kInt16},
    {"Interests", Kind::kInt16},
    {"Robotness", Kind::kInt16},
    {"RemoteIP", Kind::kInt32},
    {"WindowName", Kind::kInt32},
    {"OpenerName", Kind::kInt32},
    {"HistoryLength", Kind::kInt16},
    {"BrowserLanguage", Kind::kText},
    {"BrowserCountry", Kind::kText},
    {"SocialNetwork", Kind::kText},
    {"SocialAction", Kind::kText},
    {"HTTPError", Kind::kInt16},
    {"SendTiming", Kind::kInt32},
    {"DNSTiming", Kind::kInt32},
    {"ConnectTiming", Kind::kInt32},
    {"ResponseStartTiming", Kind::kInt32},
    {"ResponseEndTiming", Kind::kInt32},
    {"FetchTiming", Kind::kInt32},
    {"SocialSourceNetworkID", Kind::kInt16},
    {"SocialSourcePage", Kind::kText},
    {"ParamPrice", Kind::kInt64},
    {"ParamOrderID", Kind::kText},
    {"ParamCurrency", Kind::kText},
    {"ParamCurrencyID", Kind::kInt16},
    {"OpenstatServiceName", Kind::kText},
    {"OpenstatCampaignID", Kind::kText},
    {"OpenstatAdID", Kind::kText},
    {"OpenstatSourceID", Kind::kText},
    {"UTMSource", Kind::kText},
    {"UTMMedium", Kind::kText},
    {"UTMCampaign", Kind::kText},
    {"UTMContent", Kind::kText},
    {"UTMTerm", Kind::kText},
    {"FromTag", Kind::kText},
    {"HasGCLID", Kind::kInt16},
    {"RefererHash", Kind::kInt64},
    {"URLHash", Kind::kInt64},
    {"CLID", Kind::kInt32},
};
constexpr size_t kNumColumns = sizeof(kColumns) / sizeof(kColumns[0]);
static_assert(kNumColumns == 105, "ClickBench's hits table has 105 columns");

// The constants ClickBench's queries look up.
constexpr int64_t kHeavyUser = 435090932899640449;          // Q20
constexpr int64_t kEmptyRefererHash = 3594120000172545465;  // Q41
constexpr int64_t kTopUrlHash = 2868770270353813622;        // Q42
constexpr int64_t kJuly2013 = 1372636800;                   // 2013-07-01 00:00:00 UTC

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A stream of random numbers for one row.
class Rng {
 public:
  explicit Rng(uint64_t state) : s_(state) {}
  uint64_t Next() { return Mix(s_++ * 0x2545f4914f6cdd1dull); }
  double Unit() { return double(Next() >> 11) * 0x1.0p-53; }
  int64_t Below(int64_t n) { return int64_t(Next() % uint64_t(n)); }
  bool Chance(double p) { return Unit() < p; }
  // A rank in [0, n) with P(k) ~ 1/(k+1): Zipf with exponent 1.
  int64_t Zipf(int64_t n) {
    int64_t k = int64_t(std::exp(Unit() * std::log(double(n) + 1))) - 1;
    return std::clamp<int64_t>(k, 0, n - 1);
  }

 private:
  uint64_t s_;
};

constexpr const char* kWords[] = {
    "news",    "sport",  "video",  "music",  "games",  "weather", "auto",   "cars",
    "travel",  "photo",  "Google", "maps",   "mail",   "shop",    "cart",   "film",
    "movie",   "market", "bank",   "credit", "realty", "job",     "forum",  "blog",
    "wiki",    "book",   "health", "food",   "recipe", "kids",    "home",   "garden",
    "tech",    "mobile", "phone",  "tv",     "radio",  "online",  "free",   "download",
    "новости", "погода", "работа", "авто",   "игры",   "фильмы",  "музыка", "карта",
    "купить",  "цена",   "2013",   "moscow", "spb",    "error",   "search", "html",
};
constexpr int64_t kNumWords = sizeof(kWords) / sizeof(kWords[0]);

constexpr const char* kHosts[] = {
    "yandex.ru",        "google.ru",       "mail.ru",          "vk.com",        "google.com",
    "news.yandex.ru",   "auto.ru",         "avito.ru",         "rambler.ru",    "youtube.com",
    "kinopoisk.ru",     "ria.ru",          "lenta.ru",         "rbc.ru",        "ozon.ru",
    "livejournal.com",  "wikipedia.org",   "odnoklassniki.ru", "gismeteo.ru",   "hh.ru",
    "market.yandex.ru", "maps.google.com", "irr.ru",           "kp.ru",         "sport-express.ru",
    "championat.com",   "drom.ru",         "afisha.ru",        "games.mail.ru", "video.mail.ru",
};
constexpr int64_t kNumHosts = sizeof(kHosts) / sizeof(kHosts[0]);

constexpr const char* kPhones[] = {"iPhone",  "iPad",     "Galaxy S4", "Lumia 920",
                                   "HTC One", "Xperia Z", "Nexus 4",   "Galaxy Note"};
constexpr const char* kCountries[] = {"RU", "UA", "BY", "KZ", "US", "DE", "TR", "UZ", "FR", "GB"};
constexpr const char* kLanguages[] = {"ru", "en", "uk", "de", "tr", "kk", "be", "fr"};
constexpr const char* kCharsets[] = {"utf-8", "windows-1251", "koi8-r"};
constexpr const char* kUtmSources[] = {"", "yandex", "google", "vk", "direct", "begun"};
constexpr const char* kOpenstat[] = {"", "yandex-direct", "begun", "marketgid", "google-adwords"};
constexpr int kWidths[][2] = {{1366, 768}, {1920, 1080}, {1280, 1024}, {1024, 768},
                              {1440, 900}, {1600, 900},  {1280, 800},  {0, 0}};

template <size_t N>
const char* Pick(const char* const (&list)[N], int64_t i) {
  return list[size_t(i) % N];
}

// Output of one block of rows.
class Out {
 public:
  void Int(int64_t v) {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    s_.append(b, r.ptr);
    s_ += ',';
  }
  // A CSV text field: quoted when it holds a comma or quote; "" for empty
  // (quiver ingest reads an unquoted empty field as null).
  void Text(std::string_view v) {
    bool quote = v.empty() || v.find_first_of(",\"\n") != std::string_view::npos;
    if (!quote) {
      s_.append(v);
    } else {
      s_ += '"';
      for (char c : v) {
        if (c == '"') s_ += '"';
        s_ += c;
      }
      s_ += '"';
    }
    s_ += ',';
  }
  // Seconds since the epoch in July or August 2013, as "2013-MM-DD hh:mm:ss".
  void Time(int64_t t) {
    Date(t);
    s_.back() = ' ';
    const int64_t sec = t % 86400;
    Two(sec / 3600);
    s_ += ':';
    Two(sec / 60 % 60);
    s_ += ':';
    Two(sec % 60);
    s_ += ',';
  }
  void Date(int64_t t) {
    const int64_t day = t / 86400 - kJuly2013 / 86400;  // 0 = 2013-07-01
    s_ += "2013-0";
    s_ += char('7' + day / 31);
    s_ += '-';
    Two(day % 31 + 1);
    s_ += ',';
  }
  void EndRow() { s_.back() = '\n'; }
  std::string& str() { return s_; }

 private:
  void Two(int64_t v) {
    s_ += char('0' + v / 10);
    s_ += char('0' + v % 10);
  }

  std::string s_;
};

// The page behind URL rank `k` (also its title's subject).
std::string Url(int64_t k) {
  if (k < 0) return "";
  uint64_t h = Mix(uint64_t(k) ^ 0x55aa);
  Rng r(h);
  std::string s = r.Chance(0.8) ? "http://" : "https://";
  if (r.Chance(0.4)) s += "www.";
  s += kHosts[r.Zipf(kNumHosts)];
  s += '/';
  s += kWords[r.Below(kNumWords)];
  s += '/';
  if (r.Chance(0.5)) {
    s += kWords[r.Below(kNumWords)];
    s += ".html";
  }
  s += "?id=";
  s += std::to_string(k);
  return s;
}

std::string Title(int64_t k) {
  if (k < 0) return "";
  Rng r(Mix(uint64_t(k) ^ 0x7171));
  int n = 1 + int(r.Below(4));
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += kWords[r.Zipf(kNumWords)];
  }
  s += " - ";
  s += kHosts[r.Zipf(kNumHosts)];
  return s;
}

std::string Phrase(int64_t k) {
  Rng r(Mix(uint64_t(k) ^ 0x3131));
  int n = 1 + int(r.Below(3));
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += kWords[r.Below(kNumWords)];
  }
  if (r.Chance(0.2)) s += " " + std::to_string(r.Below(3000));
  return s;
}

int64_t Hash63(uint64_t x) { return int64_t(Mix(x) >> 1); }

struct Sizes {
  int64_t users, urls, phrases, referers, titles;
};

void Row(int64_t i, uint64_t seed, const Sizes& n, Out& o) {
  Rng r(Mix(seed) ^ Mix(uint64_t(i) * 0x9e3779b97f4a7c15ull));
  const int64_t t = kJuly2013 + r.Below(31 * 86400);
  const bool c62 = r.Chance(0.3);
  const int64_t counter = c62 ? 62 : 1 + r.Zipf(20000);
  const int64_t user_rank = r.Zipf(n.users);
  const int64_t user = user_rank == 0 ? kHeavyUser : Hash63(uint64_t(user_rank) ^ 0xabcdef);
  const int64_t client_ip = 16 + int64_t(Mix(uint64_t(user_rank) ^ 0x1234) % 2147483000u);
  const int64_t url_rank = r.Chance(0.02) ? -1 : r.Zipf(n.urls);
  const std::string url = Url(url_rank);
  const int64_t url_hash = url_rank < 0    ? 0
                           : url_rank == 0 ? kTopUrlHash
                                           : Hash63(uint64_t(url_rank) ^ 0x9999);
  const int64_t title_rank = r.Chance(0.05) ? -1 : (url_rank < 0 ? r.Zipf(n.titles) : url_rank);
  const int64_t ref_rank = r.Chance(0.35) ? -1 : r.Zipf(n.referers);
  const std::string referer = Url(ref_rank < 0 ? -1 : ref_rank * 7 + 3);
  const int64_t ref_hash = ref_rank < 0 ? kEmptyRefererHash : Hash63(uint64_t(ref_rank) ^ 0x4242);
  const bool mobile = r.Chance(0.1);
  const bool searched = r.Chance(0.13);
  const int64_t phrase_rank = searched ? r.Zipf(n.phrases) : -1;
  const int64_t adv = r.Chance(0.97) ? 0 : 1 + r.Zipf(30);
  const int64_t res = r.Zipf(8);
  const int64_t region = 1 + r.Zipf(10000);
  const int64_t tz_shift = r.Below(25) - 12;

  o.Int(Hash63(Mix(seed) + uint64_t(i)));                     // WatchID
  o.Int(r.Chance(0.7));                                       // JavaEnable
  o.Text(Title(title_rank));                                  // Title
  o.Int(1);                                                   // GoodEvent
  o.Time(t);                                                  // EventTime
  o.Date(t);                                                  // EventDate
  o.Int(counter);                                             // CounterID
  o.Int(client_ip);                                           // ClientIP
  o.Int(region);                                              // RegionID
  o.Int(user);                                                // UserID
  o.Int(r.Below(5));                                          // CounterClass
  o.Int(r.Zipf(90));                                          // OS
  o.Int(r.Zipf(60));                                          // UserAgent
  o.Text(url);                                                // URL
  o.Text(referer);                                            // Referer
  o.Int(r.Chance(0.1));                                       // IsRefresh
  o.Int(ref_rank < 0 ? 0 : 1 + r.Zipf(20));                   // RefererCategoryID
  o.Int(ref_rank < 0 ? 0 : 1 + r.Zipf(5000));                 // RefererRegionID
  o.Int(r.Chance(0.5) ? 0 : 1 + r.Zipf(20));                  // URLCategoryID
  o.Int(r.Chance(0.5) ? 0 : 1 + r.Zipf(5000));                // URLRegionID
  o.Int(kWidths[res][0]);                                     // ResolutionWidth
  o.Int(kWidths[res][1]);                                     // ResolutionHeight
  o.Int(res == 7 ? 0 : 24 + 8 * r.Below(2));                  // ResolutionDepth
  o.Int(r.Chance(0.3) ? 0 : 9 + r.Below(3));                  // FlashMajor
  o.Int(r.Below(5));                                          // FlashMinor
  o.Text(r.Chance(0.7) ? "" : std::to_string(r.Below(200)));  // FlashMinor2
  o.Int(r.Below(4));                                          // NetMajor
  o.Int(r.Below(10));                                         // NetMinor
  o.Int(r.Zipf(30));                                          // UserAgentMajor
  o.Text(r.Chance(0.5) ? "" : std::to_string(r.Zipf(100)));   // UserAgentMinor
  o.Int(1);                                                   // CookieEnable
  o.Int(1);                                                   // JavascriptEnable
  o.Int(mobile);                                              // IsMobile
  o.Int(mobile ? 1 + r.Zipf(50) : 0);                         // MobilePhone
  o.Text(mobile ? kPhones[r.Zipf(8)] : "");                   // MobilePhoneModel
  o.Text("");                                                 // Params
  o.Int(Mix(uint64_t(user_rank) ^ 0x777) % 100000);           // IPNetworkID
  o.Int(r.Below(11) - 1);                                     // TraficSourceID
  o.Int(searched ? 1 + r.Zipf(20) : 0);                       // SearchEngineID
  o.Text(searched ? Phrase(phrase_rank) : "");                // SearchPhrase
  o.Int(adv);                                                 // AdvEngineID
  o.Int(0);                                                   // IsArtifical
  o.Int(300 + r.Below(1700));                                 // WindowClientWidth
  o.Int(200 + r.Below(1000));                                 // WindowClientHeight
  o.Int(tz_shift);                                            // ClientTimeZone
  o.Time(t + r.Below(60));                                    // ClientEventTime
  o.Int(r.Below(6));                                          // SilverlightVersion1
  o.Int(r.Below(2));                                          // SilverlightVersion2
  o.Int(r.Below(60000));                                      // SilverlightVersion3
  o.Int(r.Below(2));                                          // SilverlightVersion4
  o.Text(Pick(kCharsets, r.Zipf(3)));                         // PageCharset
  o.Int(r.Below(1000));                                       // CodeVersion
  o.Int(r.Chance(0.05));                                      // IsLink
  o.Int(r.Chance(0.01));                                      // IsDownload
  o.Int(r.Chance(0.4));                                       // IsNotBounce
  o.Int(Hash63(uint64_t(user_rank) ^ 0x5555));                // FUniqID
  o.Text("");                                                 // OriginalURL
  o.Int(int64_t(r.Next() >> 33));                             // HID
  o.Int(0);                                                   // IsOldCounter
  o.Int(0);                                                   // IsEvent
  o.Int(0);                                                   // IsParameter
  o.Int(r.Chance(0.05));                                      // DontCountHits
  o.Int(0);                                                   // WithHash
  o.Text(r.Chance(0.5) ? "F" : "E");                          // HitColor
  o.Time(t);                                                  // LocalEventTime
  o.Int(r.Chance(0.5) ? 0 : r.Below(6) + 1);                  // Age
  o.Int(r.Below(3));                                          // Sex
  o.Int(r.Below(5));                                          // Income
  o.Int(r.Below(3000));                                       // Interests
  o.Int(0);                                                   // Robotness
  o.Int(int64_t(r.Next() >> 33));                             // RemoteIP
  o.Int(r.Below(10000));                                      // WindowName
  o.Int(r.Below(10000));                                      // OpenerName
  o.Int(r.Below(30));                                         // HistoryLength
  o.Text(Pick(kLanguages, r.Zipf(8)));                        // BrowserLanguage
  o.Text(Pick(kCountries, r.Zipf(10)));                       // BrowserCountry
  o.Text("");                                                 // SocialNetwork
  o.Text("");                                                 // SocialAction
  o.Int(0);                                                   // HTTPError
  o.Int(r.Chance(0.7) ? 0 : r.Below(2000));                   // SendTiming
  o.Int(r.Below(300));                                        // DNSTiming
  o.Int(r.Below(500));                                        // ConnectTiming
  o.Int(r.Below(2000));                                       // ResponseStartTiming
  o.Int(r.Below(3000));                                       // ResponseEndTiming
  o.Int(r.Below(1000));                                       // FetchTiming
  o.Int(r.Chance(0.98) ? 0 : 1 + r.Below(5));                 // SocialSourceNetworkID
  o.Text("");                                                 // SocialSourcePage
  o.Int(r.Chance(0.99) ? 0 : r.Below(100000));                // ParamPrice
  o.Text("");                                                 // ParamOrderID
  o.Text(r.Chance(0.99) ? "" : "RUB");                        // ParamCurrency
  o.Int(0);                                                   // ParamCurrencyID
  o.Text(Pick(kOpenstat, r.Zipf(5)));                         // OpenstatServiceName
  o.Text("");                                                 // OpenstatCampaignID
  o.Text("");                                                 // OpenstatAdID
  o.Text("");                                                 // OpenstatSourceID
  o.Text(Pick(kUtmSources, r.Zipf(6)));                       // UTMSource
  o.Text("");                                                 // UTMMedium
  o.Text("");                                                 // UTMCampaign
  o.Text("");                                                 // UTMContent
  o.Text("");                                                 // UTMTerm
  o.Text(r.Chance(0.97) ? "" : kWords[r.Below(kNumWords)]);   // FromTag
  o.Int(0);                                                   // HasGCLID
  o.Int(ref_hash);                                            // RefererHash
  o.Int(url_hash);                                            // URLHash
  o.Int(0);                                                   // CLID
  o.EndRow();
}

int PrintSchema(std::string_view dialect) {
  static const char* kQuiver[] = {"int16", "int32", "int64", "utf8", "timestamp[us]", "date32"};
  static const char* kDuck[] = {"SMALLINT", "INTEGER", "BIGINT", "VARCHAR", "TIMESTAMP", "DATE"};
  const bool duck = dialect == "duckdb";
  if (!duck && dialect != "quiver") return 2;
  std::string s = duck ? "{" : "";
  for (size_t i = 0; i < kNumColumns; ++i) {
    const auto& c = kColumns[i];
    if (i) s += duck ? ", " : ",";
    s += duck ? "'" + std::string(c.name) + "': '" + kDuck[int(c.kind)] + "'"
              : std::string(c.name) + ":" + kQuiver[int(c.kind)];
  }
  if (duck) s += "}";
  std::puts(s.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = -1;
  uint64_t seed = 1;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--schema" && i + 1 < argc) return PrintSchema(argv[++i]);
    if (a == "--seed" && i + 1 < argc) {
      seed = std::stoull(argv[++i]);
    } else if (a == "-o" && i + 1 < argc) {
      path = argv[++i];
    } else if (rows < 0 && !a.empty() && a[0] != '-') {
      rows = std::stoll(std::string(a));
    } else {
      rows = -1;
      break;
    }
  }
  if (rows < 0) {
    std::fprintf(stderr,
                 "usage: clickbench_gen ROWS [--seed S] [-o FILE] | --schema quiver|duckdb\n");
    return 2;
  }
  FILE* f = path.empty() ? stdout : std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return 1;
  }
  const Sizes n{std::max<int64_t>(100, rows / 8), std::max<int64_t>(100, rows / 5),
                std::max<int64_t>(100, rows / 40), std::max<int64_t>(100, rows / 10),
                std::max<int64_t>(100, rows / 5)};
  std::string header;
  for (const auto& c : kColumns) header += std::string(header.empty() ? "" : ",") + c.name;
  header += '\n';
  std::fwrite(header.data(), 1, header.size(), f);
  const int threads = std::max(1u, std::thread::hardware_concurrency());
  constexpr int64_t kBlock = 65536;
  std::vector<Out> outs(size_t(threads) * 2);
  for (int64_t base = 0; base < rows; base += kBlock * int64_t(outs.size())) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (size_t b = size_t(t); b < outs.size(); b += size_t(threads)) {
          outs[b].str().clear();
          const int64_t lo = base + int64_t(b) * kBlock, hi = std::min(rows, lo + kBlock);
          for (int64_t i = lo; i < hi; ++i) Row(i, seed, n, outs[b]);
        }
      });
    }
    for (auto& th : pool) th.join();
    for (auto& o : outs) std::fwrite(o.str().data(), 1, o.str().size(), f);
  }
  if (std::fflush(f) != 0 || (f != stdout && std::fclose(f) != 0)) {
    std::perror("clickbench_gen: write");
    return 1;
  }
  return 0;
}
