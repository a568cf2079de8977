"""Fine-tuning (MVP, MLP-FT and the ablations), masked-LM head pre-training, and adversarial training."""
