"""Safety alignment in one language: LoRA fine-tuning with TRL (SFT or DPO) on CPU.

The experiment MSEED is about: align a model on safety data in one language (zh), then measure
every language. ``mseed align`` turns a training file into chat examples, checks everything that
can be checked *before* a model is loaded (so a bad file fails in a second, naming file and
line), trains a LoRA adapter with TRL, and writes the adapter with a card that pins what went
in: the base model's sha256, the data's sha256, the hyper-parameters, the seed and the loss
curve. One module per step, in the order a run goes through them:

* :mod:`.examples`: reading pairs, triples or MSEED records (+ refusal templates);
* :mod:`.base_model`: resolving ``--base``, de-quantizing a GGUF once into a cache, loading;
* :mod:`.plan`: every decision and fingerprint of a run, output-folder checks, ``plan.json``;
* :mod:`.rejected`: DPO's missing rejected answers from the base model's greedy answers;
* :mod:`.train`: the TRL trainer, checkpoints and resume;
* :mod:`.card`: the loss log (CSV, PNG) and the card (``card.json``, ``README.md``).
"""
