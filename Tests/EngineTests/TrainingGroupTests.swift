// Several runs on one training thread (issue 9): each run's events are exactly the ones it sends
// trained alone, and one run's divergence pauses that run only.
import MNISTData
import Synchronization
import Testing
@testable import Engine

@Suite("Training group")
struct TrainingGroupTests {
    /// Three different runs: another init, another lr, another batch size (so their epochs end at
    /// different rounds of the schedule).
    static func configs() -> [TrainingConfig] {
        var other = smallConfig(epochs: 2)
        other.initScheme = .he
        var batch = smallConfig(epochs: 2, lr: 0.1)
        batch.batchSize = 50
        return [smallConfig(epochs: 2), other, batch]
    }

    @Test("runs trained in turn send, event for event, what each sends trained alone")
    func roundRobinEqualsAlone() async throws {
        let dataset = syntheticDataset()
        var alone: [[TrainingEvent]] = []
        for config in Self.configs() {
            let trainer = try Trainer(dataset: dataset, config: config)
            trainer.start()
            alone.append(await collect(trainer).map(timeless))
        }
        let trainers = try Self.configs().map { try Trainer(dataset: dataset, config: $0) }
        let group = TrainingGroup(trainers)
        group.start()
        async let first = collect(trainers[0])
        async let second = collect(trainers[1])
        async let third = collect(trainers[2])
        let together = await [first, second, third].map { $0.map(timeless) }
        #expect(together.count == alone.count)
        for (run, events) in together.enumerated() {
            #expect(events == alone[run], "run \(run + 1)")
            #expect(events.last == .stateChanged(.done))
        }
        // The runs really differ, so the comparison above could fail.
        #expect(mathEvents(alone[0]) != mathEvents(alone[1]) && mathEvents(alone[0]) != mathEvents(alone[2]))
    }

    @Test("a run that diverges pauses alone: the other trains to its end, then the diverged one can be stopped")
    func divergencePausesOnlyThatRun() async throws {
        let dataset = syntheticDataset()
        let healthy = try Trainer(dataset: dataset, config: smallConfig(epochs: 3))
        let runaway = try Trainer(dataset: dataset, config: smallConfig(epochs: 3, lr: 1e4))
        let runawayEvents = runaway.subscribe()
        TrainingGroup([healthy, runaway]).start()
        let healthyEvents = await collect(healthy)
        #expect(healthyEvents.last == .stateChanged(.done))
        #expect(healthyEvents.compactMap(\.epochMetrics).count == 3)
        // The healthy run ended while the other sat diverged and paused: nothing after `.diverged`.
        let (seen, finished) = runawayEvents.drain()
        #expect(!finished)
        let diverged = try #require(seen.firstIndex { if case .stateChanged(.diverged) = $0 { true } else { false } })
        #expect(diverged == seen.count - 1)
        #expect(seen.compactMap(\.epochMetrics).isEmpty)
        runaway.stop()
        let rest = await collect(runaway)
        #expect(rest.last == .stateChanged(.stopped))
    }

    @Test("pausing the group pauses every run; resuming continues each exactly")
    func pauseAllResumeAll() async throws {
        let dataset = syntheticDataset()
        let configs = Array(Self.configs().prefix(2))
        var alone: [[TrainingEvent]] = []
        for config in configs {
            let trainer = try Trainer(dataset: dataset, config: config)
            trainer.start()
            alone.append(mathEvents(await collect(trainer)))
        }
        // Run 1 pauses the group at its step 5, on the training thread (the consumers may lag).
        let box = Mutex<TrainingGroup?>(nil)
        let pauser = try trainer(dataset, configs[0]) { _, batch in
            if batch.step == 5 { box.withLock { $0 }?.pause() }
        }
        let trainers = [pauser, try Trainer(dataset: dataset, config: configs[1])]
        let group = TrainingGroup(trainers)
        box.withLock { $0 = group }
        group.start()
        var pausedSeen = 0
        async let second = collect(trainers[1])
        let first = await collect(trainers[0]) { event in
            if event == .stateChanged(.paused) {
                pausedSeen += 1
                group.resume()
            }
        }
        let other = await second
        #expect(pausedSeen == 1)
        #expect(other.contains(.stateChanged(.paused)))
        #expect(mathEvents(first) == alone[0] && mathEvents(other) == alone[1])
    }

    @Test("a group leaves out runs started before; starting a run twice does nothing")
    func startOnce() async throws {
        let trainer = try Trainer(dataset: syntheticDataset(), config: smallConfig(epochs: 1))
        trainer.start()
        TrainingGroup([trainer]).start()
        trainer.start()
        let events = await collect(trainer)
        #expect(events.filter { if case .started = $0 { true } else { false } }.count == 1)
        #expect(events.last == .stateChanged(.done))
    }

    @Test("runs that fit one by one but not together are refused, the dataset counted once")
    func memoryTogether() throws {
        let dataset = syntheticDataset()
        let config = smallConfig()
        let one = try Trainer.plan(dataset: dataset, config: config).memory.bytes
        let shared = MemoryEstimate.sharedBytes(dataset)
        let four = 4 * (one - shared) + shared
        #expect(try TrainingGroup.plan(dataset: dataset, configs: Array(repeating: config, count: 4), memoryLimit: four).count == 4)
        #expect(throws: TrainingConfigError.memory(needed: four, available: four - 1,
                                                   parameterCount: 4 * (try Trainer.plan(dataset: dataset, config: config).memory.parameterCount))) {
            try TrainingGroup.plan(dataset: dataset, configs: Array(repeating: config, count: 4), memoryLimit: four - 1)
        }
    }
}
