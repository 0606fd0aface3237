import GPT2
