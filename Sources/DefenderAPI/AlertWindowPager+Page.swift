import MDECore

extension AlertWindowPager {
    /// Fetches one page of `subWindow` and records it. Returns `nil` when the page has nothing to
    /// hand out, because every alert on it was returned before.
    func fetchPage(of subWindow: PollingWindow) async throws(DefenderError) -> AlertPage? {
        guard var pass, pass.window == subWindow else { return nil }
        let options = pager.options
        let skip = pass.nextSkip(overlap: options.overlap(pageSize: pageSize))
        guard pass.pages < options.maxPagesPerWindow else {
            throw .pageCapReached(window: subWindow, pages: pass.pages, skip: pass.position)
        }
        requests += 1
        let number = requests
        let fetched = try await pager.fetchPage(window: subWindow, skip: skip, pageSize: pageSize, pageNumber: number)
        let body = try AlertListBody(body: fetched.response.body, page: number, url: fetched.url)
        pageSize = fetched.pageSize

        let received = AlertPage(pageNumber: number, skip: skip, alerts: body.alerts)
        let firstRowSeen = body.alerts.first.map { seen.contains($0) } ?? false
        var fresh: [JSONValue] = []
        for (alert, time) in zip(received.alerts, received.lastUpdateTimes) {
            if seen.insert(alert, time: time) {
                fresh.append(alert)
            } else {
                statistics.duplicatesDropped += 1
            }
        }
        let linkSkip = checkedLinkSkip(body.nextLink, subWindow: subWindow, skip: skip, rows: body.alerts.count, page: number)
        pager.logger.info("alerts page fetched", [
            ("page", .int(number)), ("alerts", .int(body.alerts.count)), ("alerts.new", .int(fresh.count)),
            ("http.status", 200), ("page.skip", .int(skip)), ("page.top", .int(fetched.pageSize)),
            ("window", .string(subWindow.description)),
        ])

        let step = pass.record(
            rows: body.alerts.count, top: fetched.pageSize, skip: skip, firstRowSeen: firstRowSeen,
            newest: received.maxLastUpdateTime, linkSkip: linkSkip)
        self.pass = pass
        let progress = apply(step, rows: body.alerts.count, top: fetched.pageSize)
        return page(number: number, skip: skip, alerts: fresh, progress: progress)
    }

    /// Sends `$top=1&$skip=9999` for a sub-window that came from a split: a row there means it
    /// still contains 10,000 or more alerts, so it is split again before any page is read.
    func probe(_ subWindow: PollingWindow) async throws(DefenderError) {
        requests += 1
        let skip = WindowPlan.maxReachableRows - 1
        let fetched = try await pager.fetchPage(window: subWindow, skip: skip, pageSize: 1, pageNumber: requests)
        let body = try AlertListBody(body: fetched.response.body, page: requests, url: fetched.url)
        pass?.needsProbe = false
        pager.logger.debug("sub-window probed", [
            ("window", .string(subWindow.description)), ("page", .int(requests)),
            ("window.full", .bool(!body.alerts.isEmpty)),
        ])
        if !body.alerts.isEmpty {
            overflow()
        }
    }

    /// Acts on the step after a page and returns the page's progress.
    private func apply(_ step: SubWindowPass.Step, rows: Int, top: Int) -> WindowProgress {
        switch step {
        case .next:
            return .continuing
        case .complete:
            return completeSubWindow()
        case .overflowed:
            overflow()
            return .continuing
        case .shifted:
            return shifted(rows: rows, top: top)
        }
    }

    /// Splits the current sub-window after it reached 10,000 rows, or, when it is one tick wide,
    /// logs an error and pages on past 10,000 rows, where alerts may be missing.
    func overflow() {
        guard let subWindow = pass?.window else { return }
        if plan.splitCurrent() {
            statistics.splits += 1
            pager.logger.info("window contains 10000 or more alerts, splitting it", [("window", .string(subWindow.description))])
            return
        }
        statistics.unsplittable += 1
        pass?.bestEffort = true
        pager.logger.error("one-tick window contains 10000 or more alerts, paging past row 10000; alerts may be missing", [
            ("window", .string(subWindow.description)), ("window.lower", .string(subWindow.lower.raw)),
        ])
    }

    /// Restarts the sub-window after rows shifted by the overlap or more. Past the restart budget
    /// it splits the sub-window, or, one tick wide, pages on and logs an error.
    private func shifted(rows: Int, top: Int) -> WindowProgress {
        guard var pass else { return .continuing }
        let fields: [(String, LogValue)] = [("window", .string(pass.window.description)), ("window.restarts", .int(pass.restarts))]
        if pass.restarts < pager.options.maxRestartsPerWindow {
            pass.restart()
            self.pass = pass
            statistics.restarts += 1
            pager.logger.warning("rows shifted during paging, paging the window again from $skip 0", fields)
            return .continuing
        }
        if plan.splitCurrent() {
            statistics.splits += 1
            pager.logger.warning("rows kept shifting during paging, splitting the window", fields)
            return .continuing
        }
        statistics.unsplittable += 1
        pass.bestEffort = true
        self.pass = pass
        pager.logger.error("rows kept shifting in a one-tick window, paging on; alerts may be missing", fields)
        return pass.stepWithoutRestart(rows: rows, top: top) == .complete ? completeSubWindow() : .continuing
    }

    /// Marks the current sub-window complete and returns its checkpoint.
    private func completeSubWindow() -> WindowProgress {
        guard let pass else { return .continuing }
        plan.completeCurrent(newest: pass.newest)
        seen.removeAll(before: plan.completedUpper)
        self.pass = nil
        return .completed(WindowCheckpoint(
            subWindow: pass.window, completedUpper: plan.completedUpper, newest: plan.completedNewest,
            isFinal: plan.current == nil, statistics: statistics))
    }

    /// Returns the page to hand out: one with alerts, or an empty one that moves the checkpoint
    /// before the window is complete. The end of the sequence completes the window, so its last
    /// checkpoint needs no empty page.
    private func page(number: Int, skip: Int, alerts: [JSONValue], progress: WindowProgress) -> AlertPage? {
        if case .completed(let checkpoint) = progress, !checkpoint.isFinal, let newest = checkpoint.newest,
           reportedNewest.map({ newest.ticks > $0.ticks }) ?? true {
            reportedNewest = newest
            return AlertPage(pageNumber: number, skip: skip, alerts: alerts, progress: progress)
        }
        return alerts.isEmpty ? nil : AlertPage(pageNumber: number, skip: skip, alerts: alerts, progress: progress)
    }

    /// Checks `link` and returns its `$skip` when it can be trusted. Logs and counts every link.
    private func checkedLinkSkip(_ link: String?, subWindow: PollingWindow, skip: Int, rows: Int, page: Int) -> Int? {
        guard let link else { return nil }
        let verdict = NextLink.check(
            link, alertsURL: pager.endpoints.alertsURL, filter: subWindow.filter, skip: skip, rows: rows)
        switch verdict {
        case .follow(let linkSkip):
            statistics.nextLinksFollowed += 1
            pager.logger.debug("following @odata.nextLink", [("page", .int(page)), ("page.next_skip", .int(linkSkip))])
            return linkSkip
        case .ignore(let reason):
            statistics.nextLinksIgnored += 1
            pager.logger.warning("ignoring @odata.nextLink, paging by $skip", [
                ("page", .int(page)), ("odata.next_link", .string(link)), ("reason", .string(reason)),
            ])
            return nil
        }
    }
}
