#!/usr/bin/env python3
"""Emulator of the Microsoft Defender for Endpoint alerts API and its Entra ID token endpoints.

It listens on 127.0.0.1 only (port 0 picks a free port), prints one JSON line
`{"url": "http://127.0.0.1:PORT"}` on stdout when ready, and exits when its stdin closes
(unless --no-stdin-watch) or when the --parent-pid process ends.

Entra ID (client credentials):
  POST /{tenant}/oauth2/v2.0/token   form: grant_type, client_id, client_secret, scope={api}/.default
  POST /{tenant}/oauth2/token        form: grant_type, client_id, client_secret, resource={api}
  Errors use the Entra body (error, error_description starting with the AADSTS code,
  error_codes, timestamp, trace_id, correlation_id, error_uri): 90002 unknown tenant (400),
  700016 unknown client id (400), 7000215 wrong secret (401), 7000222 expired secret (401, when
  switched on), 7000216 missing secret, 900144 missing parameter, 70003 unsupported grant type,
  1002012 scope without /.default. A token is JWT-shaped: its payload contains aud, tid, appid,
  roles, iat, nbf and exp, and its signature is random bytes. v1 sends numbers as strings.

Defender API (Bearer token required):
  GET /api/alerts?$filter=...&$top=N&$skip=K&$expand=evidence
  GET /api/alerts/{id}
  $filter: `lastUpdateTime` or `alertCreationTime` with eq, ge, gt, le, lt, joined by `and`,
  with unquoted literals ending in Z and 0 to 7 fractional digits, compared as 100 ns ticks.
  $top is 0 to 10000. Without $top a page holds --page-size rows and, when more rows remain,
  the body carries an `@odata.nextLink`; with $top it never does (unless --malformed-next-link,
  which adds a link whose query parameters lack their names: `?evidence&<filter>&<top>&<skip>`).
  Rows are ordered by `id`. Like the real API, only the first --row-limit (10000) rows of one
  $filter are ever returned: a $skip at or past it gets an empty `value`, and $skip+$top is cut
  there, without any error, so a client that pages on loses rows silently (--row-limit 0 turns
  the limit off). --fail-top-above N answers 500 to a $top above N, as large $expand=evidence
  pages time out. An update made with `visible_after_seconds` (below) is served only after that
  delay, though its lastUpdateTime lies in the past.
  Without $expand=evidence each alert's `evidence` is `[]` (alerts in the legacy shape, which
  have no `evidence` key, are sent as stored). Bodies are gzip or deflate encoded when the
  request's Accept-Encoding allows it. A missing, unknown or expired token gets 401; a token
  without the Alert.Read.All or Alert.ReadWrite.All role gets 403. Each (client id, tenant) pair
  may make --rate-limit-per-minute and --rate-limit-per-hour calls in sliding windows; further
  calls get 429 with Retry-After in whole seconds and do not count toward the limit.

Control API for tests (JSON bodies; no authentication, loopback only):
  GET  /_emulator/stats          calls per endpoint, responses per status, tokens issued,
                                 429s sent, max /api/alerts calls in any 60 s, rows returned
  POST /_emulator/stats/reset    zero the stats and the request log
  GET  /_emulator/requests       the last 10000 /api/alerts requests: path, query, status, rows
  GET  /_emulator/config         the settings below
  POST /_emulator/config         change any of: token_lifetime (seconds), expired_secret (bool),
                                 roles (list), rate_limit_per_minute, rate_limit_per_hour,
                                 page_size, row_limit, fail_top_above, malformed_next_link;
                                 applies to later requests and tokens
  POST /_emulator/faults         {"status": 429|403|500|502|503|504, "count": N,
                                  "retry_after": seconds or null, "delay_seconds": 0..30}:
                                 the next N authenticated /api/alerts calls get this answer
  GET  /_emulator/faults         pending faults; DELETE removes them all
  POST /_emulator/tokens/expire  make every issued token expired now
  GET  /_emulator/alerts         {"value": [every stored alert, ordered by id]}
  POST /_emulator/alerts         {"alerts": [alert, ...]} adds or replaces alerts by id (a missing
                                 lastUpdateTime is set to now), or {"generate": N,
                                 "span_seconds": S, "newest_age_seconds": A} adds N generated
                                 alerts, or with "last_update_time": T instead of the span, N
                                 alerts that all share T; returns {"ids": [...]}
  POST /_emulator/alerts/update  {"ids": [...], "set": {field: value}, "lastUpdateTime": "..."}
                                 applies `set` and moves lastUpdateTime of all listed alerts to
                                 one shared value: the given one, or now on the 1/300 s grid
                                 (always later than the alert's previous value); with
                                 "visible_after_seconds": D and a lastUpdateTime, the new versions
                                 are served only D seconds later (a late-visible update)
  GET  /_emulator/churn          the pending churn, or null
  POST /_emulator/churn          {"requests": R, "alerts_per_request": K}: before each of the next R
                                 alerts pages requested with a $skip above 0, the first K alerts (by
                                 id) of that page's filter that sit before the $skip get
                                 lastUpdateTime now, so they leave the window while it is paged
                                 and every later row moves up; stats count alerts_moved_during_paging
  DELETE /_emulator/churn        cancel it

--generate-shared N adds N generated alerts that all share the newest lastUpdateTime.

Sample alerts come from --samples (default: <repo>/Fixtures/defender) and keep their
2019 to 2023 timestamps unless --shift-samples-hours H spreads their lastUpdateTime values over
the H hours before now (less --newest-age-seconds), so a client with a 24 h lookback finds them.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import defender_alerts
from defender_alerts import Alert
from emulator_handler import EmulatorHandler
from emulator_state import MAX_TOP, EmulatorConfig, EmulatorState
from server_lifetime import watch_parent, watch_stdin

HOST = "127.0.0.1"
DEFAULT_SAMPLES = Path(__file__).resolve().parent.parent / "Fixtures" / "defender"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        description="Emulate the Defender for Endpoint alerts API and Entra ID tokens on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port on 127.0.0.1; 0 picks a free port (default)")

    identity = parser.add_argument_group("Entra ID")
    identity.add_argument("--tenant-id", default=defaults.tenant_id,
                          help="the only tenant that gets tokens")
    identity.add_argument("--client-id", default=defaults.client_id,
                          help="the only application (client) id that gets tokens")
    identity.add_argument("--client-secret", default=defaults.client_secret,
                          help="the client secret that the application must send")
    identity.add_argument("--token-lifetime", type=int, default=defaults.token_lifetime,
                          help="token lifetime in seconds (default 3599)")
    identity.add_argument("--expired-secret", action="store_true",
                          help="reject the correct secret with AADSTS7000222 (expired secret)")
    identity.add_argument("--roles", default=",".join(defaults.roles),
                          help="comma-separated roles put into tokens (default Alert.Read.All)")

    api = parser.add_argument_group("alerts API")
    api.add_argument("--rate-limit-per-minute", type=int, default=defaults.rate_limit_per_minute,
                     help="alert calls per minute per (client id, tenant) (default 100)")
    api.add_argument("--rate-limit-per-hour", type=int, default=defaults.rate_limit_per_hour,
                     help="alert calls per hour per (client id, tenant) (default 1500)")
    api.add_argument("--page-size", type=int, default=defaults.page_size,
                     help="rows per page when the request has no $top (default 10000)")
    api.add_argument("--row-limit", type=int, default=defaults.row_limit,
                     help="rows of one $filter that can be returned at all, as the real API's 10000; "
                          "0 returns every row (default 10000)")
    api.add_argument("--fail-top-above", type=int, default=defaults.fail_top_above,
                     help="respond with 500 to a $top above this (default 0: never)")
    api.add_argument("--malformed-next-link", action="store_true",
                     help="add an @odata.nextLink without parameter names to every page requested with $top")

    data = parser.add_argument_group("alerts")
    data.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES,
                      help=f"folder of sample responses (default {DEFAULT_SAMPLES})")
    data.add_argument("--no-samples", action="store_true", help="start without the sample alerts")
    data.add_argument("--shift-samples-hours", type=float, default=0.0,
                      help="spread the samples' lastUpdateTime values over this many hours before now, "
                           "keeping their order (default 0: keep the original timestamps)")
    data.add_argument("--generate", type=int, default=0, help="number of generated alerts to add (default 0)")
    data.add_argument("--generate-shared", type=int, default=0,
                      help="number of generated alerts to add that all share the newest lastUpdateTime (default 0)")
    data.add_argument("--seed", type=int, default=1, help="seed of the alert generator (default 1)")
    data.add_argument("--generate-hours", type=float, default=20.0,
                      help="hours over which generated lastUpdateTime values spread (default 20)")
    data.add_argument("--newest-age-seconds", type=int, default=120,
                      help="age in seconds of the newest shifted or generated lastUpdateTime "
                           "(default 120, beyond a 60 s polling lag)")
    data.add_argument("--now",
                      help="reference time for shifted and generated timestamps, YYYY-MM-DDTHH:MM:SSZ "
                           "(default: the current time)")

    lifecycle = parser.add_argument_group("process")
    lifecycle.add_argument("--parent-pid", type=int, help="exit when this process ends")
    lifecycle.add_argument("--no-stdin-watch", action="store_true", help="do not exit when stdin closes")
    lifecycle.add_argument("--quiet", action="store_true", help="log only error responses to stderr")

    arguments = parser.parse_args(argv)
    if arguments.generate < 0 or arguments.generate_shared < 0:
        parser.error("--generate and --generate-shared must be 0 or more")
    if arguments.row_limit < 0 or arguments.fail_top_above < 0:
        parser.error("--row-limit and --fail-top-above must be 0 or more")
    if not 1 <= arguments.page_size <= MAX_TOP:
        parser.error(f"--page-size must be from 1 to {MAX_TOP}, not {arguments.page_size}")
    if arguments.rate_limit_per_minute < 1 or arguments.rate_limit_per_hour < 1:
        parser.error("--rate-limit-per-minute and --rate-limit-per-hour must be at least 1")
    if arguments.token_lifetime < 0:
        parser.error(f"--token-lifetime must be 0 or more, not {arguments.token_lifetime}")
    if arguments.now is not None:
        try:
            defender_alerts.parse_ticks(arguments.now)
        except ValueError as error:
            parser.error(f"--now: {error}")
    return arguments


def build_state(arguments: argparse.Namespace) -> EmulatorState:
    config = EmulatorConfig(
        tenant_id=arguments.tenant_id,
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        token_lifetime=arguments.token_lifetime,
        expired_secret=arguments.expired_secret,
        roles=[role.strip() for role in arguments.roles.split(",") if role.strip()],
        rate_limit_per_minute=arguments.rate_limit_per_minute,
        rate_limit_per_hour=arguments.rate_limit_per_hour,
        page_size=arguments.page_size,
        row_limit=arguments.row_limit,
        fail_top_above=arguments.fail_top_above,
        malformed_next_link=arguments.malformed_next_link,
    )
    reference_ticks = defender_alerts.parse_ticks(arguments.now) if arguments.now else defender_alerts.now_ticks()
    newest_ticks = reference_ticks - arguments.newest_age_seconds * defender_alerts.TICKS_PER_SECOND

    alerts: list[Alert] = []
    if not arguments.no_samples:
        if not arguments.samples.is_dir():
            raise SystemExit(f"defender-emulator: samples folder {arguments.samples} not found; "
                             "pass --samples DIR or --no-samples")
        alerts = defender_alerts.load_sample_alerts(arguments.samples)
        if arguments.shift_samples_hours > 0:
            span_seconds = int(arguments.shift_samples_hours * 3600)
            alerts = defender_alerts.shift_samples_into_window(alerts, newest_ticks, span_seconds)

    generator = defender_alerts.AlertGenerator(arguments.seed, config.tenant_id)
    if arguments.generate:
        alerts += generator.generate(arguments.generate, newest_ticks, int(arguments.generate_hours * 3600))
    if arguments.generate_shared:
        alerts += generator.generate_shared(arguments.generate_shared, defender_alerts.snap_to_update_grid(newest_ticks))
    return EmulatorState(config, alerts, generator)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    state = build_state(arguments)

    server = ThreadingHTTPServer((HOST, arguments.port), EmulatorHandler)
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    server.quiet = arguments.quiet  # type: ignore[attr-defined]
    port = server.server_address[1]
    server.base_url = f"http://{HOST}:{port}"  # type: ignore[attr-defined]

    if not arguments.no_stdin_watch:
        threading.Thread(target=watch_stdin, args=(server,), daemon=True).start()
    if arguments.parent_pid is not None:
        threading.Thread(target=watch_parent, args=(server, arguments.parent_pid), daemon=True).start()

    sys.stderr.write(f"defender-emulator: serving {len(state.alerts)} alerts on {server.base_url}\n")
    print(json.dumps({"url": server.base_url}), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.stderr.write("defender-emulator: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
