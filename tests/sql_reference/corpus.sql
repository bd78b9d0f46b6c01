# The SQL reference corpus (tests/sql_reference/run.mjs): one query per line,
# `NAME: SQL`, over the table `t` of tests/sql_reference/data.mjs. A following
# line `  duckdb: SQL` gives DuckDB's spelling when it differs. Results are
# compared value by value with DuckDB's; a query whose last top-level clause
# has ORDER BY is compared in order (write total orders: end with a unique
# key such as id), any other as a multiset. When DuckDB fails (overflow),
# Quiver must fail too. Names group the queries by issue 14's items: base
# (works today), expr (1), fn (2), agg (3), shape (4).

# --- base
base.count: SELECT count(*) FROM t
base.count_col: SELECT count(n), count(f), count(s), count(d), count(b), count(ts), count(dt) FROM t
base.select_star: SELECT * FROM t WHERE id < 2000 ORDER BY id
base.select_cols: SELECT id, n, s, d FROM t WHERE id >= 10000 AND id < 13000 ORDER BY id
base.where_int: SELECT id, n FROM t WHERE n > 500000 ORDER BY id
base.where_between: SELECT id, x FROM t WHERE x BETWEEN 100 AND 200 ORDER BY id
base.where_in: SELECT id, k FROM t WHERE k IN (1, 3, 5) AND id < 10000 ORDER BY id
base.where_not_in: SELECT count(*) FROM t WHERE k NOT IN (1, 3, 5)
base.where_str_eq: SELECT id, s FROM t WHERE s = 'apple' ORDER BY id
base.where_str_empty: SELECT id FROM t WHERE s = '' ORDER BY id
base.where_str_ne_empty: SELECT count(*) FROM t WHERE s <> ''
base.where_nonascii: SELECT id, s FROM t WHERE s = '日本語' ORDER BY id
base.where_dict_eq: SELECT id, d FROM t WHERE d = 'Ünïcode' ORDER BY id
base.where_dict_empty: SELECT count(*) FROM t WHERE d = ''
base.where_is_null: SELECT id FROM t WHERE n IS NULL ORDER BY id
base.where_is_not_null: SELECT count(*) FROM t WHERE s IS NOT NULL
base.where_bool: SELECT id FROM t WHERE b = true AND id < 5000 ORDER BY id
base.where_or: SELECT id FROM t WHERE k = 1 OR n < -900000 ORDER BY id
base.where_not: SELECT count(*) FROM t WHERE NOT (k = 1)
base.where_like_prefix: SELECT id, s FROM t WHERE s LIKE 'app%' ORDER BY id
base.where_like_infix: SELECT count(*) FROM t WHERE s LIKE '%an%'
base.where_not_like: SELECT count(*) FROM t WHERE s NOT LIKE '%a%'
base.where_like_underscore: SELECT count(*) FROM t WHERE s LIKE '_pple%'
base.where_ts: SELECT id, ts FROM t WHERE ts >= '2000-01-01' AND ts < '2001-01-01' ORDER BY id
base.where_ts_pre1970: SELECT id, ts FROM t WHERE ts < '1905-01-01' ORDER BY id
base.where_date: SELECT id, dt FROM t WHERE dt BETWEEN '1999-01-01' AND '1999-12-31' ORDER BY id
base.where_big_max: SELECT id, big FROM t WHERE big = 9223372036854775807 ORDER BY id
base.where_big_min: SELECT id, big FROM t WHERE big = -9223372036854775808 ORDER BY id
base.where_big_2p53: SELECT id, big FROM t WHERE big = 9007199254740993 ORDER BY id
base.where_i16_extremes: SELECT id, i16 FROM t WHERE i16 = -32768 OR i16 = 32767 ORDER BY id
base.where_f_gt: SELECT id, f FROM t WHERE f > 1000000 ORDER BY id
base.where_f_lt: SELECT id, f FROM t WHERE f < -1000000 ORDER BY id
base.where_f_zero: SELECT id, f FROM t WHERE f = 0 ORDER BY id
base.order_desc_limit: SELECT id, n FROM t ORDER BY n DESC, id LIMIT 50
  duckdb: SELECT id, n FROM t ORDER BY n DESC NULLS FIRST, id LIMIT 50
base.order_str: SELECT id, s FROM t WHERE s IS NOT NULL ORDER BY s, id LIMIT 500
base.order_dict: SELECT id, d FROM t WHERE d IS NOT NULL ORDER BY d, id LIMIT 500
base.order_ts: SELECT id, ts FROM t WHERE ts IS NOT NULL ORDER BY ts DESC, id LIMIT 500
base.order_big: SELECT id, big FROM t WHERE big IS NOT NULL ORDER BY big, id LIMIT 100
base.order_offset: SELECT id, x FROM t ORDER BY x, id LIMIT 100 OFFSET 1000
base.order_nulls: SELECT id, n FROM t WHERE id < 3000 ORDER BY n, id
base.order_nulls_desc: SELECT id, n FROM t WHERE id < 3000 ORDER BY n DESC, id
  duckdb: SELECT id, n FROM t WHERE id < 3000 ORDER BY n DESC NULLS FIRST, id
base.order_f_specials: SELECT id, f FROM t WHERE id < 3000 ORDER BY f, id
base.agg_sum_avg: SELECT sum(n), avg(n), min(n), max(n) FROM t
base.agg_x: SELECT sum(x), avg(x), min(x), max(x) FROM t
base.agg_i16: SELECT sum(i16), min(i16), max(i16), avg(i16) FROM t
base.agg_big_minmax: SELECT min(big), max(big), count(big) FROM t
base.agg_f: SELECT min(f), max(f), count(f) FROM t
base.agg_f_sum: SELECT sum(f), avg(f) FROM t
base.agg_ts: SELECT min(ts), max(ts), min(dt), max(dt) FROM t
base.agg_where: SELECT count(*), sum(x) FROM t WHERE k = 3
base.group_k: SELECT k, count(*), sum(n), min(x), max(x), avg(x) FROM t GROUP BY k ORDER BY k
base.group_d: SELECT d, count(*), avg(n) FROM t GROUP BY d ORDER BY d
base.group_b: SELECT b, count(*) FROM t GROUP BY b ORDER BY b
base.group_s: SELECT s, count(*) FROM t GROUP BY s ORDER BY s
base.group_two: SELECT k, d, count(*), sum(i16) FROM t GROUP BY k, d ORDER BY k, d
base.group_id: SELECT id, count(*) FROM t WHERE id < 5000 GROUP BY id ORDER BY id
base.group_order_count: SELECT s, count(*) AS c FROM t GROUP BY s ORDER BY c DESC, s LIMIT 20
base.group_ts: SELECT dt, count(*) FROM t GROUP BY dt ORDER BY dt
base.group_f: SELECT f, count(*) FROM t WHERE id < 3000 GROUP BY f ORDER BY f
base.group_where: SELECT k, count(*) FROM t WHERE s LIKE '%a%' GROUP BY k ORDER BY k

# --- expr
expr.add: SELECT id, n + 1, n + k, x + 0.5 FROM t WHERE id < 3000 ORDER BY id
expr.sub: SELECT id, n - 1000, k - n, x - k FROM t WHERE id < 3000 ORDER BY id
expr.mul: SELECT id, n * 3, k * k, x * 2.5 FROM t WHERE id < 3000 ORDER BY id
expr.div_float: SELECT id, x / 4, n / 2.0 FROM t WHERE id < 3000 ORDER BY id
expr.div_int_rule: SELECT id, n / 7, k / 3 FROM t WHERE id < 3000 ORDER BY id
expr.div_by_zero_float: SELECT id, x / 0.0 FROM t WHERE id < 3000 ORDER BY id
expr.div_by_zero_int: SELECT id, n / 0 FROM t WHERE id < 3000 ORDER BY id
expr.int_div_op: SELECT id, n // 7, k // 3 FROM t WHERE id < 3000 ORDER BY id
expr.mod: SELECT id, n % 7, k % 3, id % 10 FROM t WHERE id < 3000 ORDER BY id
expr.mod_negative: SELECT id, (n - 500000) % 13 FROM t WHERE id < 3000 ORDER BY id
expr.unary_minus: SELECT id, -n, -x, -k FROM t WHERE id < 3000 ORDER BY id
expr.precedence: SELECT id, n + k * 2 - 1, (n + k) * 2, -k * -k FROM t WHERE id < 3000 ORDER BY id
expr.mixed_types: SELECT id, i16 + k, i16 * 1.5, n + x FROM t WHERE id < 3000 ORDER BY id
expr.null_propagation: SELECT id, n + NULL, NULL * x FROM t WHERE id < 3000 ORDER BY id
expr.cmp_values: SELECT id, n > 0, x <= 500, k = 3, k <> 3 FROM t WHERE id < 3000 ORDER BY id
expr.and_or_values: SELECT id, b AND k > 10, b OR k > 10, NOT b FROM t WHERE id < 3000 ORDER BY id
expr.three_valued: SELECT id, (n > 0) AND b, (n > 0) OR b FROM t WHERE id < 3000 ORDER BY id
expr.is_distinct: SELECT id, n IS DISTINCT FROM k, b IS NOT DISTINCT FROM true FROM t WHERE id < 3000 ORDER BY id
expr.is_distinct_null: SELECT id, n IS NOT DISTINCT FROM NULL FROM t WHERE id < 3000 ORDER BY id
expr.cast_double: SELECT id, CAST(n AS DOUBLE), CAST(k AS DOUBLE) / 3 FROM t WHERE id < 3000 ORDER BY id
expr.cast_bigint: SELECT id, CAST(x AS BIGINT) FROM t WHERE id < 3000 ORDER BY id
expr.cast_varchar: SELECT id, CAST(k AS VARCHAR), CAST(b AS VARCHAR) FROM t WHERE id < 3000 ORDER BY id
expr.cast_colon: SELECT id, n::DOUBLE, k::VARCHAR FROM t WHERE id < 3000 ORDER BY id
expr.cast_str_to_int: SELECT id, CAST('42' AS BIGINT) + k FROM t WHERE id < 3000 ORDER BY id
expr.cast_date: SELECT id, CAST(ts AS DATE) FROM t WHERE id < 3000 ORDER BY id
expr.cast_int_to_smallint_overflow_free: SELECT id, CAST(k AS SMALLINT) FROM t WHERE id < 3000 ORDER BY id
expr.coalesce: SELECT id, COALESCE(n, k, -1), COALESCE(s, 'none') FROM t WHERE id < 3000 ORDER BY id
expr.coalesce_dict: SELECT id, COALESCE(d, '?') FROM t WHERE id < 3000 ORDER BY id
expr.nullif: SELECT id, NULLIF(k, 3), NULLIF(s, '') FROM t WHERE id < 3000 ORDER BY id
expr.case_searched: SELECT id, CASE WHEN x > 500 THEN 'high' WHEN x > 100 THEN 'mid' ELSE 'low' END FROM t WHERE id < 3000 ORDER BY id
expr.case_simple: SELECT id, CASE k WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END FROM t WHERE id < 3000 ORDER BY id
expr.case_no_else: SELECT id, CASE WHEN b THEN n END FROM t WHERE id < 3000 ORDER BY id
expr.case_numeric: SELECT id, CASE WHEN k < 10 THEN x ELSE -x END FROM t WHERE id < 3000 ORDER BY id
expr.case_dict: SELECT id, CASE d WHEN 'red' THEN 1 WHEN 'blue' THEN 2 ELSE 0 END FROM t WHERE id < 3000 ORDER BY id
expr.case_lazy_cast: SELECT id, s, CASE WHEN regexp_matches(s, '^[0-9]+$') THEN CAST(s AS INTEGER) ELSE -1 END FROM t WHERE id < 3000 ORDER BY id
expr.case_lazy_overflow: SELECT id, CASE WHEN big BETWEEN -1000 AND 1000 THEN big * 1000000000000 WHEN big > 0 THEN big - 1 ELSE 0 END FROM t WHERE id < 3000 ORDER BY id
expr.case_lazy_when: SELECT id, CASE WHEN s IS NULL OR NOT regexp_matches(s, '^[0-9]+$') THEN 'text' WHEN CAST(s AS INTEGER) > 100 THEN 'big' ELSE 'small' END FROM t WHERE id < 3000 ORDER BY id
expr.case_lazy_grouped: SELECT k, max(CASE WHEN big BETWEEN -1000 AND 1000 THEN big * 1000000000000 ELSE 0 END) FROM t GROUP BY k ORDER BY k NULLS LAST
expr.greatest_least: SELECT id, GREATEST(k, 5), LEAST(x, 100.0), GREATEST(n, k, 0) FROM t WHERE id < 3000 ORDER BY id
expr.greatest_str: SELECT id, GREATEST(s, 'm'), LEAST(s, 'm') FROM t WHERE id < 3000 ORDER BY id
expr.in_expr: SELECT id, k + 1 IN (2, 4, 6), s IN ('apple', 'x') FROM t WHERE id < 3000 ORDER BY id
expr.not_in_expr: SELECT id, k * 2 NOT IN (2, 4) FROM t WHERE id < 3000 ORDER BY id
expr.concat_op: SELECT id, s || '-' || d, k || '' FROM t WHERE id < 3000 ORDER BY id
expr.concat_null: SELECT id, s || NULL FROM t WHERE id < 3000 ORDER BY id
expr.between_expr: SELECT id, x * 2 BETWEEN 100 AND 1000 FROM t WHERE id < 3000 ORDER BY id
expr.like_value: SELECT id, s LIKE 'a%', s NOT LIKE '%e%' FROM t WHERE id < 3000 ORDER BY id
expr.literal_columns: SELECT id, 1, 'x', 2.5, true, NULL FROM t WHERE id < 3000 ORDER BY id
expr.overflow_mul: SELECT id, big * 2 FROM t WHERE big = 9223372036854775807 ORDER BY id
expr.overflow_add: SELECT id, big + 1 FROM t WHERE big = 9223372036854775807 ORDER BY id
expr.overflow_neg: SELECT id, -big FROM t WHERE big = -9223372036854775808 ORDER BY id
expr.overflow_sub: SELECT id, big - 1 FROM t WHERE big = -9223372036854775808 ORDER BY id
expr.big_no_overflow: SELECT id, big / 2, big % 1000 FROM t WHERE big IS NOT NULL AND id < 3000 ORDER BY id
expr.float_specials: SELECT id, f * 2, f + 1, -f, f / 2 FROM t WHERE id < 3000 ORDER BY id
expr.float_cmp_specials: SELECT id, f > 0, f = f, f < 1e308 FROM t WHERE id < 3000 ORDER BY id
expr.where_arith: SELECT id, n FROM t WHERE n * 2 > 1000000 ORDER BY id
expr.where_mod: SELECT id FROM t WHERE id % 97 = 0 ORDER BY id
expr.where_case: SELECT count(*) FROM t WHERE CASE WHEN k > 10 THEN b ELSE NOT b END
expr.where_coalesce: SELECT count(*) FROM t WHERE COALESCE(n, 0) = 0
expr.where_cast: SELECT count(*) FROM t WHERE CAST(x AS BIGINT) = 500
expr.where_concat: SELECT id FROM t WHERE s || d = 'applered' ORDER BY id
expr.where_is_distinct: SELECT count(*) FROM t WHERE n IS DISTINCT FROM NULL
expr.where_in_expr: SELECT count(*) FROM t WHERE k % 5 IN (0, 1)
expr.where_col_col: SELECT id FROM t WHERE n < i16 AND id < 3000 ORDER BY id
expr.where_bool_col: SELECT count(*) FROM t WHERE b
expr.where_not_bool: SELECT count(*) FROM t WHERE NOT b
expr.where_nan: SELECT id FROM t WHERE f <> f ORDER BY id
expr.where_nan_eq: SELECT count(*) FROM t WHERE f = 'NaN'::DOUBLE
expr.where_inf: SELECT id FROM t WHERE f = 'Infinity'::DOUBLE OR f = '-Infinity'::DOUBLE ORDER BY id
expr.where_neg_zero: SELECT count(*) FROM t WHERE f = -0.0

# --- fn
fn.num_abs: SELECT id, abs(n), abs(x - 500), abs(k - 10) FROM t WHERE id < 3000 ORDER BY id
fn.num_round: SELECT id, round(x), round(-x) FROM t WHERE id < 3000 ORDER BY id
fn.num_round_n: SELECT id, round(x, 1), round(x, -1), round(n / 3.0, 2) FROM t WHERE id < 3000 ORDER BY id
fn.num_floor: SELECT id, floor(x), floor(-x) FROM t WHERE id < 3000 ORDER BY id
fn.num_ceil: SELECT id, ceil(x), ceil(-x), ceiling(x) FROM t WHERE id < 3000 ORDER BY id
fn.num_trunc: SELECT id, trunc(x), trunc(-x) FROM t WHERE id < 3000 ORDER BY id
fn.num_sqrt: SELECT id, sqrt(x), sqrt(abs(n)) FROM t WHERE id < 3000 ORDER BY id
fn.num_power: SELECT id, power(x, 2), power(k, 3), pow(2, k) FROM t WHERE id < 3000 ORDER BY id
fn.num_exp: SELECT id, exp(x / 100), exp(-k) FROM t WHERE id < 3000 ORDER BY id
fn.num_ln: SELECT id, ln(x + 1), ln(abs(n) + 1) FROM t WHERE id < 3000 ORDER BY id
fn.num_log10: SELECT id, log10(x + 1) FROM t WHERE id < 3000 ORDER BY id
fn.num_log: SELECT id, log(x + 1), log(2, k + 1) FROM t WHERE id < 3000 ORDER BY id
fn.num_mod_fn: SELECT id, mod(n, 7), mod(k, 4) FROM t WHERE id < 3000 ORDER BY id
fn.num_sign: SELECT id, sign(n), sign(x - 500), sign(k - 10) FROM t WHERE id < 3000 ORDER BY id
fn.num_sqrt_negative: SELECT id, sqrt(x - 500) FROM t WHERE id < 3000 ORDER BY id
fn.num_ln_zero: SELECT id, ln(x * 0) FROM t WHERE id < 3000 ORDER BY id
fn.num_round_float_specials: SELECT id, round(f), floor(f), ceil(f), abs(f) FROM t WHERE id < 3000 ORDER BY id
fn.num_sign_float: SELECT id, sign(f) FROM t WHERE id < 3000 ORDER BY id
fn.num_abs_overflow: SELECT id, abs(big) FROM t WHERE big > -9223372036854775808 AND id < 3000 ORDER BY id
fn.num_abs_int_min: SELECT abs(big) FROM t WHERE big = -9223372036854775808
fn.str_length: SELECT id, length(s), length(d) FROM t WHERE id < 3000 ORDER BY id
fn.str_lower: SELECT id, lower(s) FROM t WHERE id < 3000 ORDER BY id
fn.str_upper: SELECT id, upper(s) FROM t WHERE id < 3000 ORDER BY id
fn.str_lower_dict: SELECT id, lower(d), upper(d) FROM t WHERE id < 3000 ORDER BY id
fn.str_substring: SELECT id, substring(s, 2, 3), substring(s, 1, 1) FROM t WHERE id < 3000 ORDER BY id
fn.str_substring_from: SELECT id, substring(s FROM 2 FOR 3) FROM t WHERE id < 3000 ORDER BY id
fn.str_substr: SELECT id, substr(s, 3), substr(s, 2, 2) FROM t WHERE id < 3000 ORDER BY id
fn.str_position: SELECT id, position('a' IN s) FROM t WHERE id < 3000 ORDER BY id
fn.str_strpos: SELECT id, strpos(s, 'an'), strpos(s, '') FROM t WHERE id < 3000 ORDER BY id
fn.str_concat: SELECT id, concat(s, '/', d), concat(s, NULL, k) FROM t WHERE id < 3000 ORDER BY id
fn.str_trim: SELECT id, trim(s), ltrim(s), rtrim(s) FROM t WHERE id < 3000 ORDER BY id
fn.str_trim_chars: SELECT id, trim(s, 'a_'), ltrim(s, ' a') FROM t WHERE id < 3000 ORDER BY id
fn.str_replace: SELECT id, replace(s, 'a', 'A'), replace(s, '_', '') FROM t WHERE id < 3000 ORDER BY id
fn.str_left: SELECT id, left(s, 3), right(s, 2) FROM t WHERE id < 3000 ORDER BY id
fn.str_left_dict: SELECT id, left(d, 2), right(d, 1) FROM t WHERE id < 3000 ORDER BY id
fn.str_split_part: SELECT id, split_part(s, '_', 1), split_part(s, '_', 2) FROM t WHERE id < 3000 ORDER BY id
fn.str_starts_with: SELECT id, starts_with(s, 'a'), starts_with(d, 'b') FROM t WHERE id < 3000 ORDER BY id
fn.str_contains: SELECT id, contains(s, 'an'), contains(d, 'e') FROM t WHERE id < 3000 ORDER BY id
fn.str_regexp_matches: SELECT id, regexp_matches(s, '^[a-z]+_[0-9]+$'), regexp_matches(s, '[0-9]{3}') FROM t WHERE id < 3000 ORDER BY id
fn.str_regexp_replace: SELECT id, regexp_replace(s, '[0-9]+', 'N'), regexp_replace(s, '^(.)', '<\1>') FROM t WHERE id < 3000 ORDER BY id
fn.str_regexp_replace_g: SELECT id, regexp_replace(s, '[aeiou]', '*', 'g') FROM t WHERE id < 3000 ORDER BY id
fn.str_regexp_extract: SELECT id, regexp_extract(s, '[0-9]+'), regexp_extract(s, '^([a-z]+)_', 1) FROM t WHERE id < 3000 ORDER BY id
fn.str_nonascii_length: SELECT id, length(s), upper(s), substring(s, 1, 2) FROM t WHERE id < 3000 ORDER BY id
fn.str_length_bytes_vs_chars: SELECT id, length('日本語'), length('emoji😀') FROM t WHERE id < 3000 ORDER BY id
fn.str_string_fn_on_null: SELECT id, lower(NULL), length(CAST(NULL AS VARCHAR)) FROM t WHERE id < 3000 ORDER BY id
fn.str_where_lower: SELECT count(*) FROM t WHERE lower(s) LIKE 'apple%'
fn.str_where_length: SELECT id, s FROM t WHERE length(s) > 12 ORDER BY id
fn.str_where_regexp: SELECT count(*) FROM t WHERE regexp_matches(s, '^[A-Z]')
fn.str_where_dict_upper: SELECT count(*) FROM t WHERE upper(d) = 'RED'
fn.str_group_lower: SELECT lower(s) AS l, count(*) FROM t GROUP BY lower(s) ORDER BY l
fn.str_group_dict_fn: SELECT upper(d) AS u, count(*) FROM t GROUP BY u ORDER BY u
fn.date_trunc_second: SELECT id, date_trunc('second', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_minute: SELECT id, date_trunc('minute', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_hour: SELECT id, date_trunc('hour', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_day: SELECT id, date_trunc('day', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_week: SELECT id, date_trunc('week', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_month: SELECT id, date_trunc('month', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_quarter: SELECT id, date_trunc('quarter', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_year: SELECT id, date_trunc('year', ts) FROM t WHERE id < 3000 ORDER BY id
fn.date_trunc_date: SELECT id, date_trunc('month', dt), date_trunc('year', dt) FROM t WHERE id < 3000 ORDER BY id
fn.extract_year: SELECT id, extract(year FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_quarter: SELECT id, extract(quarter FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_month: SELECT id, extract(month FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_week: SELECT id, extract(week FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_day: SELECT id, extract(day FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_dow: SELECT id, extract(dow FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_doy: SELECT id, extract(doy FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_hour: SELECT id, extract(hour FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_minute: SELECT id, extract(minute FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_second: SELECT id, extract(second FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_epoch: SELECT id, extract(epoch FROM ts) FROM t WHERE id < 3000 ORDER BY id
fn.extract_date_cols: SELECT id, extract(year FROM dt), extract(month FROM dt), extract(dow FROM dt) FROM t WHERE id < 3000 ORDER BY id
fn.date_part: SELECT id, date_part('year', ts), date_part('hour', ts), date_part('doy', dt) FROM t WHERE id < 3000 ORDER BY id
fn.interval_add: SELECT id, ts + INTERVAL 1 DAY, ts - INTERVAL 2 HOUR FROM t WHERE id < 3000 ORDER BY id
fn.interval_month: SELECT id, ts + INTERVAL 1 MONTH, dt + INTERVAL 1 YEAR FROM t WHERE id < 3000 ORDER BY id
fn.interval_quoted: SELECT id, ts + INTERVAL '3 days', dt - INTERVAL '1 month' FROM t WHERE id < 3000 ORDER BY id
fn.date_add_int: SELECT id, dt + 1, dt - 30 FROM t WHERE id < 3000 ORDER BY id
fn.date_diff: SELECT id, dt - DATE '2000-01-01' FROM t WHERE id < 3000 ORDER BY id
fn.date_diff_fn: SELECT id, date_diff('day', dt, DATE '2000-01-01'), datediff('year', dt, DATE '2000-01-01') FROM t WHERE id < 3000 ORDER BY id
fn.ts_diff: SELECT id, date_diff('hour', ts, TIMESTAMP '2000-01-01 00:00:00') FROM t WHERE id < 3000 ORDER BY id
fn.strftime: SELECT id, strftime(ts, '%Y-%m-%d %H'), strftime(dt, '%d/%m/%Y') FROM t WHERE id < 3000 ORDER BY id
fn.make_date: SELECT id, make_date(2000 + k, 1 + k % 12, 1 + k) FROM t WHERE id < 3000 ORDER BY id
fn.current_date: SELECT current_date >= DATE '2024-01-01', now() >= TIMESTAMP '2024-01-01 00:00:00'
fn.date_where_extract: SELECT count(*) FROM t WHERE extract(year FROM ts) = 2000
fn.date_where_interval: SELECT count(*) FROM t WHERE ts >= TIMESTAMP '2000-01-01' - INTERVAL 30 DAY AND ts < TIMESTAMP '2000-01-01'
fn.date_group_year: SELECT extract(year FROM ts) AS y, count(*) FROM t GROUP BY y ORDER BY y
fn.date_group_trunc: SELECT date_trunc('year', ts) AS y, count(*), avg(x) FROM t GROUP BY 1 ORDER BY 1
fn.date_group_dow: SELECT extract(dow FROM dt) AS w, count(*) FROM t GROUP BY w ORDER BY w
fn.make_date_literal: SELECT make_date(2013, 7, 15), extract(doy FROM DATE '2013-07-15')
fn.nested_calls: SELECT id, upper(substring(lower(s), 1, 3)) || '-' || CAST(abs(k - 10) AS VARCHAR) FROM t WHERE id < 3000 ORDER BY id

# --- agg
agg.count_distinct: SELECT count(DISTINCT k), count(DISTINCT s), count(DISTINCT d) FROM t
agg.count_distinct_big: SELECT count(DISTINCT big), count(DISTINCT n) FROM t
agg.count_distinct_f: SELECT count(DISTINCT f) FROM t
agg.count_distinct_ts: SELECT count(DISTINCT ts), count(DISTINCT dt) FROM t
agg.sum_expr: SELECT sum(n * 2), sum(x + k) FROM t
agg.avg_expr: SELECT avg(x * 2 + 1), avg(k - 10) FROM t
agg.min_max_expr: SELECT min(n - k), max(x / 2) FROM t
agg.min_max_str: SELECT min(s), max(s) FROM t
agg.min_max_dict: SELECT min(d), max(d) FROM t
agg.min_max_bool: SELECT min(b::INT), max(b::INT) FROM t
agg.stddev: SELECT stddev_samp(x), stddev_pop(x) FROM t
agg.stddev_alias: SELECT stddev(x) FROM t
agg.variance: SELECT var_samp(x), var_pop(x) FROM t
agg.variance_int: SELECT var_samp(n), stddev_pop(k) FROM t
agg.median: SELECT median(x), median(n) FROM t
agg.quantile_cont: SELECT quantile_cont(x, 0.25), quantile_cont(x, 0.9) FROM t
agg.quantile_disc: SELECT quantile_disc(x, 0.25), quantile_disc(n, 0.5) FROM t
agg.approx_count_distinct: SELECT abs(approx_count_distinct(s) - count(DISTINCT s)) <= count(DISTINCT s) * 0.1 FROM t
agg.approx_count_distinct_big: SELECT abs(approx_count_distinct(big) - count(DISTINCT big)) <= count(DISTINCT big) * 0.1 FROM t
agg.bool_and_or: SELECT bool_and(b), bool_or(b) FROM t
agg.bool_and_expr: SELECT bool_and(x >= 0), bool_or(n > 999990) FROM t
agg.filter_count: SELECT count(*) FILTER (WHERE k < 5), count(*) FILTER (WHERE b) FROM t
agg.filter_sum: SELECT sum(n) FILTER (WHERE k = 1), avg(x) FILTER (WHERE s LIKE 'a%') FROM t
agg.filter_minmax: SELECT min(x) FILTER (WHERE k > 15), max(s) FILTER (WHERE d = 'red') FROM t
agg.filter_distinct: SELECT count(DISTINCT k) FILTER (WHERE b) FROM t
agg.filter_median: SELECT median(x) FILTER (WHERE k < 10) FROM t
agg.agg_empty_input: SELECT count(*), sum(n), avg(x), min(s), max(ts) FROM t WHERE id < 0
agg.sum_f_specials: SELECT sum(f), min(f), max(f) FROM t
agg.avg_i16: SELECT avg(i16), sum(CAST(i16 AS INTEGER) * 2) FROM t
agg.agg_of_case: SELECT sum(CASE WHEN b THEN 1 ELSE 0 END), avg(CASE WHEN k > 10 THEN 1.0 ELSE 0.0 END) FROM t
agg.count_expr: SELECT count(n + k), count(NULLIF(k, 0)) FROM t
agg.sum_overflow: SELECT sum(big) FROM t WHERE big > 0
  duckdb: SELECT CAST(sum(big) AS BIGINT) FROM t WHERE big > 0
agg.group_count_distinct: SELECT k, count(DISTINCT k), count(DISTINCT s), count(DISTINCT d) FROM t GROUP BY k ORDER BY k
agg.group_count_distinct_big: SELECT k, count(DISTINCT big), count(DISTINCT n) FROM t GROUP BY k ORDER BY k
agg.group_count_distinct_f: SELECT k, count(DISTINCT f) FROM t GROUP BY k ORDER BY k
agg.group_count_distinct_ts: SELECT k, count(DISTINCT ts), count(DISTINCT dt) FROM t GROUP BY k ORDER BY k
agg.group_sum_expr: SELECT k, sum(n * 2), sum(x + k) FROM t GROUP BY k ORDER BY k
agg.group_avg_expr: SELECT k, avg(x * 2 + 1), avg(k - 10) FROM t GROUP BY k ORDER BY k
agg.group_min_max_expr: SELECT k, min(n - k), max(x / 2) FROM t GROUP BY k ORDER BY k
agg.group_min_max_str: SELECT k, min(s), max(s) FROM t GROUP BY k ORDER BY k
agg.group_min_max_dict: SELECT k, min(d), max(d) FROM t GROUP BY k ORDER BY k
agg.group_min_max_bool: SELECT k, min(b::INT), max(b::INT) FROM t GROUP BY k ORDER BY k
agg.group_stddev: SELECT k, stddev_samp(x), stddev_pop(x) FROM t GROUP BY k ORDER BY k
agg.group_stddev_alias: SELECT k, stddev(x) FROM t GROUP BY k ORDER BY k
agg.group_variance: SELECT k, var_samp(x), var_pop(x) FROM t GROUP BY k ORDER BY k
agg.group_variance_int: SELECT k, var_samp(n), stddev_pop(k) FROM t GROUP BY k ORDER BY k
agg.group_median: SELECT k, median(x), median(n) FROM t GROUP BY k ORDER BY k
agg.group_quantile_cont: SELECT k, quantile_cont(x, 0.25), quantile_cont(x, 0.9) FROM t GROUP BY k ORDER BY k
agg.group_quantile_disc: SELECT k, quantile_disc(x, 0.25), quantile_disc(n, 0.5) FROM t GROUP BY k ORDER BY k
agg.group_approx_count_distinct: SELECT k, abs(approx_count_distinct(s) - count(DISTINCT s)) <= count(DISTINCT s) * 0.1 FROM t GROUP BY k ORDER BY k
agg.group_bool_and_or: SELECT k, bool_and(b), bool_or(b) FROM t GROUP BY k ORDER BY k
agg.group_bool_and_expr: SELECT k, bool_and(x >= 0), bool_or(n > 999990) FROM t GROUP BY k ORDER BY k
agg.group_filter_count: SELECT k, count(*) FILTER (WHERE k < 5), count(*) FILTER (WHERE b) FROM t GROUP BY k ORDER BY k
agg.group_filter_sum: SELECT k, sum(n) FILTER (WHERE k = 1), avg(x) FILTER (WHERE s LIKE 'a%') FROM t GROUP BY k ORDER BY k
agg.group_filter_minmax: SELECT k, min(x) FILTER (WHERE k > 15), max(s) FILTER (WHERE d = 'red') FROM t GROUP BY k ORDER BY k
agg.group_filter_distinct: SELECT k, count(DISTINCT k) FILTER (WHERE b) FROM t GROUP BY k ORDER BY k
agg.group_filter_median: SELECT k, median(x) FILTER (WHERE k < 10) FROM t GROUP BY k ORDER BY k
agg.group_agg_empty_input: SELECT k, count(*), sum(n), avg(x), min(s), max(ts) FROM t GROUP BY k ORDER BY k
agg.group_sum_f_specials: SELECT k, sum(f), min(f), max(f) FROM t GROUP BY k ORDER BY k
agg.any_value: SELECT k, any_value(k * 2) FROM t GROUP BY k ORDER BY k
agg.any_value_const: SELECT d, any_value(upper(d)) FROM t GROUP BY d ORDER BY d
agg.group_many_count_distinct: SELECT s, count(DISTINCT k), count(DISTINCT d) FROM t GROUP BY s ORDER BY s
agg.group_id_mod: SELECT id % 1000 AS g, sum(n), count(DISTINCT k) FROM t GROUP BY g ORDER BY g
agg.min_max_str_group: SELECT k, min(s), max(s), min(d), max(d) FROM t GROUP BY k ORDER BY k
agg.quantile_group_many: SELECT id % 500 AS g, median(x), quantile_disc(n, 0.1) FROM t GROUP BY g ORDER BY g

# --- shape
shape.distinct_one: SELECT DISTINCT k FROM t ORDER BY k
shape.distinct_dict: SELECT DISTINCT d FROM t ORDER BY d
shape.distinct_two: SELECT DISTINCT k, d FROM t ORDER BY k, d
shape.distinct_str: SELECT DISTINCT s FROM t ORDER BY s
shape.distinct_expr: SELECT DISTINCT k % 5 AS m FROM t ORDER BY m
shape.distinct_unordered: SELECT DISTINCT b, d FROM t
shape.distinct_many: SELECT DISTINCT n FROM t WHERE id < 5000
shape.distinct_limit: SELECT DISTINCT s FROM t ORDER BY s LIMIT 10
shape.distinct_f: SELECT DISTINCT f FROM t WHERE id < 3000
shape.distinct_ts: SELECT DISTINCT date_trunc('year', ts) AS y FROM t ORDER BY y
shape.group_expr: SELECT k % 3, count(*) FROM t GROUP BY k % 3 ORDER BY 1
shape.group_alias: SELECT k % 3 AS m, count(*) FROM t GROUP BY m ORDER BY m
shape.group_ordinal: SELECT d, k, count(*) FROM t GROUP BY 1, 2 ORDER BY 1, 2
shape.group_ordinal_expr: SELECT upper(d), count(*) FROM t GROUP BY 1 ORDER BY 1
shape.group_case: SELECT CASE WHEN x > 500 THEN 'hi' ELSE 'lo' END AS c, count(*), avg(x) FROM t GROUP BY c ORDER BY c
shape.group_not_selected: SELECT count(*) FROM t GROUP BY k ORDER BY count(*), 1
shape.group_expr_in_select: SELECT k, count(*) * 2, sum(n) / count(*) FROM t GROUP BY k ORDER BY k
shape.group_agg_arith: SELECT k, max(x) - min(x), sum(x) / count(x) FROM t GROUP BY k ORDER BY k
shape.group_key_expr_of_agg: SELECT k + 1, count(*) FROM t GROUP BY k ORDER BY k
shape.group_many_rows: SELECT n % 10000 AS g, count(*), sum(x) FROM t GROUP BY g ORDER BY g
shape.group_constant: SELECT 1 AS one, count(*) FROM t GROUP BY 1
shape.having: SELECT k, count(*) FROM t GROUP BY k HAVING count(*) > 2500 ORDER BY k
shape.having_alias: SELECT k, count(*) AS c FROM t GROUP BY k HAVING c > 2500 ORDER BY k
shape.having_not_selected: SELECT k FROM t GROUP BY k HAVING avg(x) > 500 ORDER BY k
shape.having_and: SELECT d, count(*) FROM t GROUP BY d HAVING count(*) > 1000 AND min(n) < 0 ORDER BY d
shape.having_many: SELECT s, count(*) FROM t GROUP BY s HAVING count(*) >= 5 ORDER BY s
shape.having_no_group: SELECT count(*) FROM t HAVING count(*) > 0
shape.having_distinct: SELECT k, count(DISTINCT s) FROM t GROUP BY k HAVING count(DISTINCT s) > 100 ORDER BY k
shape.order_expr: SELECT id, n FROM t WHERE id < 3000 ORDER BY n % 100, id
shape.order_alias: SELECT id, x * 2 AS dbl FROM t WHERE id < 3000 ORDER BY dbl DESC, id
  duckdb: SELECT id, x * 2 AS dbl FROM t WHERE id < 3000 ORDER BY dbl DESC NULLS FIRST, id
shape.order_ordinal: SELECT id, k, x FROM t WHERE id < 3000 ORDER BY 2, 3 DESC, 1
  duckdb: SELECT id, k, x FROM t WHERE id < 3000 ORDER BY 2, 3 DESC NULLS FIRST, 1
shape.order_unselected_col: SELECT id FROM t WHERE id < 3000 ORDER BY x, id
shape.order_unselected_agg: SELECT k FROM t GROUP BY k ORDER BY sum(x), k
shape.order_agg_desc: SELECT d, count(*) FROM t GROUP BY d ORDER BY count(*) DESC, d
shape.order_fn: SELECT id, s FROM t WHERE id < 3000 ORDER BY length(s), id
shape.order_case: SELECT id FROM t WHERE id < 3000 ORDER BY CASE WHEN b THEN 0 ELSE 1 END, id
shape.order_nulls_first: SELECT id, n FROM t WHERE id < 3000 ORDER BY n NULLS FIRST, id
shape.order_nulls_last_desc: SELECT id, n FROM t WHERE id < 3000 ORDER BY n DESC NULLS LAST, id
shape.offset_expr_order: SELECT id, x + n AS v FROM t ORDER BY v, id LIMIT 100 OFFSET 200
shape.subquery_from: SELECT * FROM (SELECT k, count(*) AS c FROM t GROUP BY k) WHERE c > 2500 ORDER BY k
shape.subquery_from_alias: SELECT q.k, q.c FROM (SELECT k, count(*) AS c FROM t GROUP BY k) AS q ORDER BY q.c, q.k
shape.subquery_nested: SELECT max(c) FROM (SELECT k, c FROM (SELECT k, count(*) AS c FROM t GROUP BY k) WHERE k > 5)
shape.subquery_rows: SELECT id, v FROM (SELECT id, n * 2 AS v FROM t WHERE id < 5000) WHERE v > 0 ORDER BY id
shape.subquery_agg_of_agg: SELECT avg(c), min(c), max(c) FROM (SELECT s, count(*) AS c FROM t GROUP BY s)
shape.subquery_limit_count: SELECT count(*) FROM (SELECT id FROM t LIMIT 10)
shape.subquery_limit: SELECT count(*), sum(n) FROM (SELECT n FROM t ORDER BY id LIMIT 1000)
shape.subquery_distinct: SELECT count(*) FROM (SELECT DISTINCT s, k FROM t)
shape.with: WITH g AS (SELECT k, sum(x) AS sx FROM t GROUP BY k) SELECT k, sx FROM g ORDER BY k
shape.with_two: WITH a AS (SELECT k, count(*) AS c FROM t GROUP BY k), b AS (SELECT max(c) AS m FROM a) SELECT k FROM a, b WHERE c = m
shape.with_chain: WITH a AS (SELECT id, x FROM t WHERE id < 4000), b AS (SELECT id, x * 2 AS y FROM a) SELECT id, y FROM b ORDER BY id
shape.with_filter: WITH big AS (SELECT * FROM t WHERE x > 900) SELECT d, count(*) FROM big GROUP BY d ORDER BY d
shape.union_all: SELECT k, 'a' AS src FROM t WHERE id < 1000 UNION ALL SELECT k, 'b' FROM t WHERE id >= 49000
shape.union_all_agg: SELECT 'min' AS w, min(x) FROM t UNION ALL SELECT 'max', max(x) FROM t
shape.union_all_order: SELECT id FROM t WHERE id < 10 UNION ALL SELECT id FROM t WHERE id > 49990 ORDER BY id
shape.union_all_types: SELECT n FROM t WHERE id < 100 UNION ALL SELECT k FROM t WHERE id < 100
shape.union_all_in_from: SELECT count(*), sum(v) FROM (SELECT n AS v FROM t UNION ALL SELECT i16 FROM t)
shape.in_select: SELECT count(*) FROM t WHERE k IN (SELECT k FROM t WHERE d = 'red' AND x > 990)
shape.in_select_rows: SELECT id, s FROM t WHERE s IN (SELECT s FROM t WHERE id < 20) ORDER BY id
shape.not_in_select: SELECT count(*) FROM t WHERE k NOT IN (SELECT k FROM t WHERE x > 999)
shape.in_select_grouped: SELECT k, count(*) FROM t WHERE s IN (SELECT s FROM t GROUP BY s HAVING count(*) > 100) GROUP BY k ORDER BY k
shape.in_select_null: SELECT count(*) FROM t WHERE n IN (SELECT n FROM t WHERE id < 100)
shape.scalar_subquery_where: SELECT count(*) FROM t WHERE x > (SELECT avg(x) FROM t)
shape.scalar_subquery_select: SELECT id, x - (SELECT min(x) FROM t) FROM t WHERE id < 3000 ORDER BY id
shape.scalar_subquery_having: SELECT k, count(*) FROM t GROUP BY k HAVING count(*) > (SELECT count(*) / 20 FROM t) ORDER BY k
shape.scalar_subquery_empty: SELECT (SELECT max(x) FROM t WHERE id < 0)
shape.no_from_literal: SELECT 1
shape.no_from_expr: SELECT 1 + 2 * 3, 'a' || 'b', 7 % 3, -5
shape.no_from_fn: SELECT abs(-3), upper('x'), round(2.567, 2), length('日本語')
shape.no_from_case: SELECT CASE WHEN 1 < 2 THEN 'yes' ELSE 'no' END, COALESCE(NULL, 4), NULLIF(1, 1)
shape.no_from_date: SELECT DATE '2013-07-15' + INTERVAL 1 DAY, extract(year FROM TIMESTAMP '1999-12-31 23:59:59')
shape.no_from_cast: SELECT CAST('12' AS INTEGER) + 1, CAST(3.7 AS BIGINT), '5'::DOUBLE
shape.no_from_overflow: SELECT 9223372036854775807 + 1
shape.no_from_null: SELECT NULL, NULL IS NULL, NULL = NULL
shape.count_star_subq_select: SELECT (SELECT count(*) FROM t), (SELECT count(DISTINCT d) FROM t)
shape.limit_zero: SELECT id FROM t ORDER BY id LIMIT 0
shape.select_star_expr: SELECT *, n + 1 AS n1 FROM t WHERE id < 2000 ORDER BY id
shape.table_alias: SELECT a.id, a.k FROM t AS a WHERE a.id < 3000 ORDER BY a.id
shape.column_alias_quoted: SELECT id AS "Row Id", k AS "kéy" FROM t WHERE id < 100 ORDER BY id

# --- dec: issue 16 item 3, decimal arithmetic, CAST and functions (price
# decimal(12,2), dq decimal(18,4), dbig decimal(38,10)); decimals compare by
# their exact text, scale included, so result types must match DuckDB's.
dec.select: SELECT id, price, dq, dbig FROM t WHERE id < 3000 ORDER BY id
dec.mul_bigint: SELECT id, price * n, n * dq FROM t WHERE id < 5000 ORDER BY id
dec.mul_int32: SELECT id, price * k, k * dq FROM t WHERE id < 5000 ORDER BY id
dec.add_int: SELECT id, price + n, price - k, i16 - dq FROM t WHERE id < 5000 ORDER BY id
dec.add_scales: SELECT id, price + dq, price - dq, dq - price FROM t WHERE id < 5000 ORDER BY id
dec.mul_scales: SELECT id, price * dq, dq * dq FROM t WHERE id < 5000 ORDER BY id
dec.mul_lit: SELECT id, price * 2.5, price * 0.05, dq * -1.5, 0.125 * dq FROM t WHERE id < 5000 ORDER BY id
dec.add_lit: SELECT id, price + 1, price - 0.01, 1.5 - dq, dq + 100 FROM t WHERE id < 5000 ORDER BY id
dec.neg_abs: SELECT id, -price, abs(dq), -dbig, abs(dbig) FROM t WHERE id < 5000 ORDER BY id
dec.div: SELECT id, price / 3, dq / 7, price / 2.5 FROM t WHERE id < 5000 ORDER BY id
dec.div_cols: SELECT id, dq / price, price / k FROM t WHERE price <> 0 AND k > 0 AND id < 5000 ORDER BY id
dec.mod: SELECT id, price % 7, dq % 0.3, price % dq, price % 0 FROM t WHERE id < 5000 ORDER BY id
dec.with_float: SELECT id, price * x, dq + f, x - dq FROM t WHERE id < 3000 ORDER BY id
dec.round: SELECT id, round(price, 1), round(dq, 2), round(price), round(dq, -1), round(dbig, 3), round(dq, 6) FROM t WHERE id < 5000 ORDER BY id
dec.floor_ceil: SELECT id, floor(dq), ceil(dq), trunc(dq), floor(price), ceil(dbig), trunc(dbig) FROM t WHERE id < 5000 ORDER BY id
dec.sign: SELECT id, sign(price), sign(dq), sign(dbig) FROM t WHERE id < 3000 ORDER BY id
dec.sum_mul: SELECT sum(price * k), sum(price * n), sum(dq * i16) FROM t
dec.aggs: SELECT sum(price), sum(dq), min(dq), max(dbig), min(dbig), avg(price), count(price) FROM t
dec.agg_expr: SELECT min(price - dq), max(price * 2), avg(dq * 3), sum(-dq) FROM t
dec.group_sum: SELECT k, sum(price * k), avg(dq), min(price + dq), max(dq), count(dq) FROM t GROUP BY k ORDER BY k
dec.group_expr: SELECT round(dq, -1) AS r, count(*), sum(price) FROM t GROUP BY r ORDER BY r NULLS LAST
dec.group_col: SELECT price, count(*) FROM t WHERE price BETWEEN -1 AND 1 GROUP BY price ORDER BY price NULLS LAST
dec.having: SELECT k, sum(price) AS s FROM t GROUP BY k HAVING sum(price) > 0 ORDER BY k
dec.order_expr: SELECT id, price * 3 AS p3 FROM t WHERE id < 3000 ORDER BY price * 3 DESC NULLS LAST, id
dec.order_col: SELECT id, dq FROM t WHERE id < 4000 ORDER BY dq NULLS LAST, id
dec.cmp_scales: SELECT id, price, dq FROM t WHERE price > dq AND id < 5000 ORDER BY id
dec.cmp_int: SELECT count(*), count(CASE WHEN price = n THEN 1 END) FROM t WHERE price > n
dec.cmp_float: SELECT count(*) FROM t WHERE dq < x
dec.cmp_value: SELECT id, price < dq, dq >= i16, price = dbig FROM t WHERE id < 3000 ORDER BY id
dec.where_lit: SELECT id, price FROM t WHERE price = 0.05 OR price BETWEEN -0.10 AND 0.10 ORDER BY id
dec.where_expr: SELECT id, price FROM t WHERE price * 1.5 > 99999.5 ORDER BY id
dec.where_in: SELECT id, dq FROM t WHERE dq IN (0.5, -1.25, 10, 99.9999) ORDER BY id
dec.negative: SELECT id, price, dq FROM t WHERE price < 0 AND dq < 0 AND id < 8000 ORDER BY id
dec.nulls: SELECT count(*), count(price + dq), count(price * n) FROM t WHERE price + dq IS NULL
dec.cast_double: SELECT id, CAST(price AS DOUBLE), CAST(dbig AS DOUBLE), dq::DOUBLE FROM t WHERE id < 3000 ORDER BY id
dec.cast_int: SELECT id, CAST(price AS BIGINT), CAST(dq AS INTEGER), CAST(dq AS SMALLINT) FROM t WHERE id < 3000 ORDER BY id
dec.cast_rescale: SELECT id, CAST(dq AS DECIMAL(10,2)), CAST(price AS DECIMAL(20,5)), dq::DECIMAL(9,3), CAST(dbig AS DECIMAL(38,2)) FROM t WHERE id < 5000 ORDER BY id
dec.cast_from_int: SELECT id, CAST(n AS DECIMAL(10,2)), CAST(k AS DECIMAL(4,1)), i16::DECIMAL(9,3) FROM t WHERE id < 3000 ORDER BY id
dec.cast_from_float: SELECT id, CAST(x AS DECIMAL(10,3)), TRY_CAST(f AS DECIMAL(18,4)), CAST(x AS DECIMAL(6,1)) FROM t WHERE id < 3000 ORDER BY id
dec.cast_from_text: SELECT CAST('1.55' AS DECIMAL(5,1)), CAST('-0.05' AS DECIMAL(3,2)), CAST(' 12.345 ' AS DECIMAL(10,2)), CAST('1e3' AS DECIMAL(8,2)), '7.5'::DECIMAL(4,1), CAST(0.1 AS DECIMAL(20,19)) FROM t WHERE id = 0
dec.cast_text_bad: SELECT CAST(s AS DECIMAL(10,2)) FROM t WHERE id < 100
dec.try_cast_text: SELECT id, TRY_CAST(s AS DECIMAL(10,2)), TRY_CAST(d AS DECIMAL(5,1)) FROM t WHERE id < 3000 ORDER BY id
dec.cast_to_text: SELECT id, CAST(price AS VARCHAR), dq::VARCHAR, CAST(dbig AS VARCHAR) FROM t WHERE id < 3000 ORDER BY id
dec.cast_overflow: SELECT CAST(price AS DECIMAL(5,2)) FROM t
dec.try_cast_overflow: SELECT id, TRY_CAST(price AS DECIMAL(7,2)), TRY_CAST(dbig AS DECIMAL(20,2)) FROM t WHERE id < 3000 ORDER BY id
dec.greatest: SELECT id, greatest(price, dq), least(price, k), greatest(dq, 0.5), least(dq, -1.5, price) FROM t WHERE id < 3000 ORDER BY id
dec.coalesce: SELECT id, coalesce(price, dq, 0), coalesce(dq, 1.5), coalesce(dbig, price) FROM t WHERE id < 3000 ORDER BY id
dec.case: SELECT id, CASE WHEN k < 5 THEN price WHEN k < 10 THEN dq ELSE 0.5 END, CASE WHEN dq > 0 THEN dq ELSE -dq END FROM t WHERE id < 3000 ORDER BY id
dec.nullif: SELECT id, nullif(price, 0.00), nullif(dq, price) FROM t WHERE id < 3000 ORDER BY id
dec.overflow_add: SELECT id, dbig + dbig FROM t WHERE id < 3000 ORDER BY id
dec.overflow_mul: SELECT id, dbig * n FROM t WHERE id < 3000 ORDER BY id
dec.near_overflow: SELECT id, dbig * 1, round(dbig, 2), dbig % 1000, dbig - dq FROM t WHERE id < 3000 ORDER BY id
dec.many_rows: SELECT id, price * k + dq FROM t ORDER BY id
dec.distinct: SELECT DISTINCT round(price, -4) AS r FROM t ORDER BY r NULLS LAST
dec.const_fraction_expr: SELECT id, price * (1 + 0.5), price * round(2.555, 2), price + (0.1 * 3), dq - (2 * 0.25) FROM t WHERE id < 3000 ORDER BY id
dec.case_const_fraction: SELECT id, CASE WHEN id % 3 = 0 THEN price ELSE 1 - 0.25 END FROM t WHERE id < 3000 ORDER BY id
