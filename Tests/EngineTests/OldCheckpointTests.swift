// Checkpoints written by the release before optimisers had state of their own (format version 1)
// must resume exactly as that release resumed them. The fixtures were made with that binary:
//
//   mnist-tui --headless --hidden 8 --train-limit 512 --epochs 2 --batch-size 64 --threads 1 --seed 5
//             --init default --save v1-sgd.ckpt
//   mnist-tui --headless --hidden 8 --train-limit 512 --epochs 2 --batch-size 64 --threads 1 --seed 5
//             --momentum 0.9 --weight-decay 0.001 --save v1-momentum.ckpt
//
// and the expected figures by resuming each with it (`--resume F --epochs 3 --threads 1 --save G`):
// the epoch-3 test accuracy it printed and the parameters fingerprint of G. That release ran the
// first layer on BLAS; these MNIST batches of 64 now go to the sparse kernels (another float
// summation order), so the exact figures are checked on the dense path the release had.
import MNISTData
import Testing
@testable import Engine

@Suite("Format-1 checkpoints")
struct OldCheckpointTests {
    static let fixtures = Path.parent(#filePath) + "/Fixtures/"

    @Test("a format-1 file of the old release resumes to the weights the old release reached",
          arguments: [("v1-sgd.ckpt", UInt64(0x91e9_bb66_2792_ab4b), 0.5602),
                      ("v1-momentum.ckpt", UInt64(0x23c0_45af_35aa_0b9b), 0.5786)])
    func resumesExactly(file: String, fingerprint: UInt64, accuracy: Double) async throws {
        let checkpoint = try Checkpoint.read(from: Self.fixtures + file)
        #expect(checkpoint.version == 1 && checkpoint.epochsDone == 2)
        #expect(checkpoint.snapshot.config.optimizer == .sgd)
        #expect(checkpoint.snapshot.optimizerState.buffers.count == (checkpoint.snapshot.config.momentum > 0 ? 1 : 0))
        let dataset = try Dataset.load(.bundledMNIST)
        try checkpoint.verify(dataset: dataset, path: file)
        var config = checkpoint.snapshot.config
        config.epochs = 3
        config.threads = 1
        let trainer = try Trainer(dataset: dataset, config: config, resumingFrom: checkpoint.snapshot,
                                  firstLayerPath: .dense)
        trainer.start()
        let epochs = await collect(trainer).compactMap(\.epochMetrics)
        #expect(epochs.map(\.epoch) == [3])
        #expect(abs((epochs.first?.testAccuracy ?? 0) - accuracy) < 0.00005)
        #expect(trainer.snapshot().parametersFingerprint == fingerprint)
    }
}
